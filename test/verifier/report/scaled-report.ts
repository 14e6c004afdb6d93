/**
 * Larger reports made from a recorded one, for tests that renderers grow
 * linearly: every Service (with its pods and probes) copied `k` times, or
 * every probe of a Service repeated `k` times. The copies are renamed, so
 * names stay unique; the outside probes are marked skipped with one shared
 * reason (as where node IPs cannot be reached), so skipped lists grow with the
 * report too.
 */
import type { VerifyReport } from "../../../verifier";
import type { ProbeResult } from "../../../verifier/types";

const SKIP_REASON = "outside checks skipped: node IPs are not reachable from this machine";

function renamed(name: string, copy: number): string {
  return copy === 0 ? name : `${name}-c${copy}`;
}

function withSkips(probe: ProbeResult): ProbeResult {
  return probe.vantage === "outside" ? { ...probe, status: "skipped", reason: SKIP_REASON, observation: { kind: "none" } } : probe;
}

/** Renames the pods a probe's answers name. */
function renamePods(probe: ProbeResult, copy: number): ProbeResult {
  if (copy === 0 || probe.observation.kind !== "http") return probe;
  const attempts = probe.observation.attempts.map((a) => (a.identity?.pod === undefined ? a : { ...a, identity: { ...a.identity, pod: renamed(a.identity.pod, copy) } }));
  return { ...probe, observation: { ...probe.observation, attempts } };
}

/** Every Service, its pods and its probes `k` times; node-wide probes once. */
export function servicesTimes(report: VerifyReport, k: number): VerifyReport {
  const services = report.cluster.services ?? [];
  const names = new Set(services.map((s) => s.service.name));
  const probes: ProbeResult[] = report.probes.filter((p) => !names.has(p.service)).map(withSkips);
  const states = [];
  for (let copy = 0; copy < k; copy++) {
    for (const s of services) {
      states.push({
        ...s,
        service: { ...s.service, name: renamed(s.service.name, copy) },
        pods: s.pods.map((p) => ({ ...p, name: renamed(p.name, copy) })),
        endpoints: s.endpoints.map((e) => ({ ...e, ...(e.podName !== undefined ? { podName: renamed(e.podName, copy) } : {}) })),
      });
    }
    for (const p of report.probes) {
      if (!names.has(p.service)) continue;
      const service = renamed(p.service, copy);
      probes.push(withSkips(renamePods({ ...p, service, id: `${service}${p.id.slice(p.service.length)}` }, copy)));
    }
  }
  return withProbes({ ...report, cluster: { ...report.cluster, services: states } }, probes);
}

/** Every probe of every Service `k` times (ids suffixed `~<i>`), as if each Service had k times the targets. */
export function probesTimes(report: VerifyReport, k: number): VerifyReport {
  const probes: ProbeResult[] = [];
  for (const p of report.probes) {
    for (let copy = 0; copy < k; copy++) probes.push(withSkips(copy === 0 ? p : { ...p, id: `${p.id}~${copy}`, target: `${p.target}~${copy}` }));
  }
  return withProbes(report, probes);
}

function withProbes(report: VerifyReport, probes: ProbeResult[]): VerifyReport {
  const count = (status: ProbeResult["status"]): number => probes.filter((p) => p.status === status).length;
  return { ...report, probes, summary: { pass: count("pass"), fail: count("fail"), error: count("error"), skipped: count("skipped"), total: probes.length } };
}

/** The report as `svclab verify --explain` records it: every node's rules read, every Service explained on every node. */
export function withExplanations(report: VerifyReport): VerifyReport {
  const nodes = report.cluster.nodes.map((n) => n.name);
  const services = (report.cluster.services ?? []).map((s) => s.service.name);
  return {
    ...report,
    explanations: {
      nodes: nodes.map((node) => ({ node, family: "IPv4" as const, origin: `docker exec ${node} iptables-save`, mode: "iptables" as const })),
      services: services.flatMap((service) => nodes.map((node) => ({ service, node, text: `${service} on ${node}\n[nat KUBE-SERVICES #1] …` }))),
    },
  };
}
