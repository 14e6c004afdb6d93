/**
 * Stable names for things whose real names change from run to run.
 *
 * A Deployment's pods get random names and new IPs each time they are
 * created, and a load balancer may hand out another address to a new lab. A
 * CI system follows a test by its name, so probe ids name such targets by what
 * stays: a pod by its node and an ordinal (`pod:<node>#<n>`), a load-balancer
 * address by its ordinal (`lb:ingress#<n>`), a node port by the Service port
 * it serves (`node-port:<node>:<port name>`). The real name goes into the
 * probe's `subject`, which reports print next to the id.
 */
import type { EndpointRef } from "../types";

/** A target's stable id part and what it stands for in this run. */
export interface StableName {
  /** The id part, e.g. `pod:kind-worker#2`. */
  readonly label: string;
  /** The real thing, e.g. `pod frontend-7d9c5-x2x4q (10.244.1.5)`. */
  readonly subject: string;
}

/** The id part for endpoints with no node: still ordinal, never the pod name. */
const NO_NODE = "no-node";

/**
 * Stable names of a Service's endpoints, in the order given. Endpoint pods
 * are numbered per node, in order of pod name (then address), from 1; two
 * runs of the same lab thus give the same set of names even when every pod
 * has a new random name. An endpoint without a pod (a hand-written
 * EndpointSlice) keeps its address: a person chose it, so it is stable.
 */
export function endpointNames(endpoints: readonly EndpointRef[]): StableName[] {
  const byNode = new Map<string, EndpointRef[]>();
  for (const endpoint of endpoints) {
    if (endpoint.podName === undefined) continue;
    const node = endpoint.nodeName ?? NO_NODE;
    byNode.set(node, [...(byNode.get(node) ?? []), endpoint]);
  }
  const ordinals = new Map<EndpointRef, string>();
  for (const [node, onNode] of byNode) {
    const sorted = [...onNode].sort((a, b) => compare(a.podName ?? "", b.podName ?? "") || compare(a.address, b.address));
    sorted.forEach((endpoint, index) => ordinals.set(endpoint, `pod:${node}#${index + 1}`));
  }
  return endpoints.map((endpoint) => ({ label: ordinals.get(endpoint) ?? `pod:${endpoint.address}`, subject: endpointSubject(endpoint) }));
}

/** What an endpoint is in this run, at the address given: `pod <name> (<address>)`, or `endpoint <address> (no pod)`. */
export function endpointSubject(endpoint: EndpointRef): string {
  return endpoint.podName === undefined ? `endpoint ${endpoint.address} (no pod)` : `pod ${endpoint.podName} (${endpoint.address})`;
}

/**
 * The stable name of a Service port's node port on one node (or on
 * `localhost`, where kind publishes it): by the Service port's name (its
 * number when unnamed), not by the nodePort, which the API server allocates
 * anew each time the Service is created unless the manifest pins it.
 */
export function nodePortName(where: string, port: { readonly name: string; readonly port: number }, nodePort: number, address: string): StableName {
  const portRef = port.name === "" ? String(port.port) : port.name;
  return { label: `node-port:${where}:${portRef}`, subject: `node port ${nodePort} on ${where === "localhost" ? "" : `node ${where} `}${address}` };
}

/** Stable names of a Service's load-balancer ingress addresses (or hostnames), in status order. */
export function ingressNames(ingress: readonly string[]): StableName[] {
  return ingress.map((address, index) => ({ label: `lb:ingress#${index + 1}`, subject: `load-balancer address ${address}` }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders stable labels for planning: by text, ordinals numerically (`#2` before `#10`). */
export function compareLabels(a: string, b: string): number {
  const [aBase = "", aOrdinal] = a.split("#");
  const [bBase = "", bOrdinal] = b.split("#");
  return compare(aBase, bBase) || Number(aOrdinal ?? 0) - Number(bOrdinal ?? 0);
}
