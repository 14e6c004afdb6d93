/**
 * Stand-in worlds of a chosen size, for the verifier benchmark and scale
 * tests: the svclab lab's Service catalog repeated until there are `services`
 * Services, over `nodes` nodes (one control plane, the rest workers, named as
 * kind names them). The first copy of the catalog is the lab itself, so
 * 8 Services × 3 nodes is exactly {@link defaultWorldSpec}.
 */
import { defaultWorldSpec, STANDIN_LIMITS, type NodeSpec, type ServiceSpec, type WorkloadSpec, type WorldSpec } from "./spec";

/** The size of a scaled world. */
export interface WorldSize {
  /** Services, 1–{@link STANDIN_LIMITS}.services. */
  readonly services: number;
  /** Nodes including the control plane, 1–{@link STANDIN_LIMITS}.nodes. */
  readonly nodes: number;
  /** Demo pods; default the lab's frontend ×3, backend ×2. */
  readonly workloads?: readonly WorkloadSpec[];
}

/** The lab spec grown (or shrunk) to `size`. @throws naming the bad value and what is allowed */
export function scaledWorldSpec(size: WorldSize): WorldSpec {
  checkCount("services", size.services, STANDIN_LIMITS.services);
  checkCount("nodes", size.nodes, STANDIN_LIMITS.nodes);
  const lab = defaultWorldSpec();
  const nodes: NodeSpec[] = [{ name: "svclab-control-plane", role: "control-plane" }];
  for (let i = 1; i < size.nodes; i++) nodes.push({ name: i === 1 ? "svclab-worker" : `svclab-worker${i}`, role: "worker" });
  const services: ServiceSpec[] = [];
  for (let i = 0; services.length < size.services; i++) {
    const copy = lab.services[i % lab.services.length] as ServiceSpec;
    const round = Math.floor(i / lab.services.length);
    // Later copies get a suffix and an allocated nodePort (the lab's fixed 30080 exists once).
    services.push(round === 0 ? copy : { ...copy, name: `${copy.name}-${round + 1}`, nodePort: undefined });
  }
  return { ...lab, nodes, services, workloads: size.workloads ?? lab.workloads };
}

function checkCount(what: keyof typeof STANDIN_LIMITS, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${what}: got ${value}; allowed: an integer from 1 to ${max} (the stand-in's limit)`);
  }
}
