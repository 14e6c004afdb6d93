/**
 * Checks that follow from a Service's label selector: its endpoints are
 * exactly the ready pods it matches, and each pod IP answers inside the
 * cluster only.
 */
import type { PodInfo, ServiceInfo } from "../model";
import type { Probe } from "../types";
import { factProbe, noReach, nodeSkip, probe, httpTarget, endpointsFor, targetPortNumber, type PlanContext } from "./context";
import { compareLabels, endpointNames } from "./stable-names";

/**
 * The selected pods the EndpointSlice controller marks `ready`: those ready
 * and not terminating — or, with `publishNotReadyAddresses`, every one with a
 * pod IP, ready or not (`ready := publishNotReadyAddresses || (serving &&
 * !terminating)` in the controller's podToEndpoint).
 * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions
 */
export function expectedEndpointPods(service: ServiceInfo, pods: readonly PodInfo[]): PodInfo[] {
  return service.publishNotReadyAddresses === true ? pods.filter((p) => p.podIP !== undefined) : pods.filter((p) => p.ready && !p.terminating);
}

/**
 * The Service's endpoints are exactly the ready, non-terminating pods its
 * selector matches (with publishNotReadyAddresses: every selected pod with an IP).
 */
export function planEndpointsMatch({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  const expected = expectedEndpointPods(service, state.pods).map((p) => p.name);
  const actual = state.endpoints.map((e) => e.podName ?? e.address);
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const holds = missing.length === 0 && extra.length === 0;
  const publish = service.publishNotReadyAddresses === true;
  const detail = holds
    ? `endpoints of ${cluster.namespace}/${service.name} = ${publish ? "selected pods, ready or not (publishNotReadyAddresses)" : "ready pods"} [${expected.join(", ")}]`
    : [
        missing.length > 0 ? `${publish ? "selected pods" : "ready pods"} without an endpoint: ${missing.join(", ")}` : "",
        extra.length > 0 ? `endpoints that are not ${publish ? "selected pods with an IP" : "ready selected pods"}: ${extra.join(", ")}` : "",
      ]
        .filter((s) => s !== "")
        .join("; ");
  return [factProbe("endpoints-match-selector", service.name, "endpoints", holds, detail)];
}

/** Each endpoint pod IP: not reachable from outside, reachable from the agent on every node. */
export function planPodIps(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const port = state.service.ports[0];
  if (port === undefined) return [];
  const containerPort = targetPortNumber(state, port);
  if (containerPort === undefined) return [];
  const probes: Probe[] = [];
  const endpoints = endpointsFor(state, port);
  const names = endpointNames(endpoints);
  // Named by node and ordinal, not by the pod's random name, and planned in
  // that order, not the API's (stable-names.ts).
  const order = endpoints.map((_, index) => index).sort((a, b) => compareLabels(names[a]?.label ?? "", names[b]?.label ?? ""));
  for (const index of order) {
    const endpoint = endpoints[index] as (typeof endpoints)[number];
    const { label, subject } = names[index] as { label: string; subject: string };
    const target = httpTarget(`${label}:${containerPort}`, endpoint.address, containerPort);
    probes.push(probe({ rule: "pod-ip-not-from-outside", service: state.service.name, vantage: "outside", target, subject, expect: noReach(state) }));
    // A pod on a NotReady node is not probed as healthy.
    const skip = nodeSkip(ctx.cluster, endpoint.nodeName);
    for (const from of ctx.vantagePods) {
      probes.push(
        probe({ rule: "pod-ip-from-pod", service: state.service.name, vantage: "pod", from, target, subject, expect: { kind: "reach", endpoints: [endpoint] }, skip }),
      );
    }
  }
  return probes;
}
