/**
 * Checks that follow from a Service's label selector: its endpoints are
 * exactly the ready pods it matches, and each pod IP answers inside the
 * cluster only.
 */
import type { PodInfo, ServiceInfo, ServiceState } from "../model";
import type { Probe } from "../types";
import { factProbe, noReach, nodeSkip, probe, httpTarget, targetPortNumber, type PlanContext } from "./context";
import { endpointAddressesIn, endpointFamilies, familyOf, podAddresses, type EndpointFamily } from "./families";
import { compareLabels, endpointNames, endpointSubject } from "./stable-names";

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

/** How one family's EndpointSlice compares with the pods it should list. */
export interface FamilyEndpoints {
  /** Names of the pods the slice should list. */
  readonly expected: string[];
  /** Ready pods without an endpoint in the slice. */
  readonly missing: string[];
  /** Endpoints of the slice that are not such pods. */
  readonly extra: string[];
}

/**
 * One family's endpoints against the pods they should be. The primary
 * family's slice lists every ready selected pod; another family's slice, the
 * ready selected pods with an address of that family (`status.podIPs`), as
 * the EndpointSlice controller publishes one slice per family.
 */
export function compareFamilyEndpoints(state: ServiceState, { family, primary }: EndpointFamily): FamilyEndpoints {
  const pods = expectedEndpointPods(state.service, state.pods);
  const expected = (primary ? pods : pods.filter((p) => podAddresses(p).some((a) => familyOf(a) === family))).map((p) => p.name);
  const actual = state.endpoints.filter((e) => endpointAddressesIn(e, family).length > 0).map((e) => e.podName ?? e.address);
  return { expected, missing: expected.filter((name) => !actual.includes(name)), extra: actual.filter((name) => !expected.includes(name)) };
}

/**
 * The Service's endpoints are exactly the ready, non-terminating pods its
 * selector matches (with publishNotReadyAddresses: every selected pod with
 * an IP), in each family's EndpointSlice: `endpoints` for the primary family,
 * `endpoints:ipv6` (or `:ipv4`) for the other one of a dual-stack Service.
 */
export function planEndpointsMatch({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  const publish = service.publishNotReadyAddresses === true;
  return endpointFamilies(state).map((slice) => {
    const { expected, missing, extra } = compareFamilyEndpoints(state, slice);
    const holds = missing.length === 0 && extra.length === 0;
    const pods = slice.primary ? "" : ` with an ${slice.family} address`;
    const sliceName = slice.primary ? "" : ` (${slice.family} EndpointSlice)`;
    const detail = holds
      ? `endpoints of ${cluster.namespace}/${service.name}${sliceName} = ${publish ? "selected pods, ready or not (publishNotReadyAddresses)" : "ready pods"}${pods} [${expected.join(", ")}]`
      : [
          missing.length > 0 ? `${publish ? "selected pods" : "ready pods"}${pods} without an endpoint${sliceName}: ${missing.join(", ")}` : "",
          extra.length > 0 ? `endpoints${sliceName} that are not ${publish ? "selected pods with an IP" : "ready selected pods"}${pods}: ${extra.join(", ")}` : "",
        ]
          .filter((s) => s !== "")
          .join("; ");
    const label = slice.primary ? "endpoints" : `endpoints:${slice.family.toLowerCase()}`;
    return factProbe("endpoints-match-selector", service.name, label, holds, detail);
  });
}

/**
 * Each endpoint pod IP, in every family its EndpointSlices list (dual stack:
 * the IPv4 and the IPv6 pod IP): not reachable from outside, reachable from
 * the agent on every node. The primary family's probes keep the label
 * `pod:<node>#<n>:<port>`; the other family's name it: `pod:<node>#<n>:ipv6:<port>`.
 */
export function planPodIps(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const port = state.service.ports[0];
  if (port === undefined) return [];
  const containerPort = targetPortNumber(state, port);
  if (containerPort === undefined) return [];
  const probes: Probe[] = [];
  const endpoints = state.endpoints.filter((e) => Object.keys(e.ports).length === 0 || e.ports[port.name] !== undefined);
  // Named once over every family's endpoints, so a pod keeps its name in each family.
  const names = endpointNames(endpoints.map((e) => ({ podName: e.podName, address: e.address, nodeName: e.nodeName })));
  // Named by node and ordinal, not by the pod's random name, and planned in
  // that order, not the API's (stable-names.ts).
  const order = endpoints.map((_, index) => index).sort((a, b) => compareLabels(names[a]?.label ?? "", names[b]?.label ?? ""));
  const families = endpointFamilies(state);
  for (const index of order) {
    const endpoint = endpoints[index] as (typeof endpoints)[number];
    const { label } = names[index] as { label: string };
    // A pod on a NotReady node is not probed as healthy.
    const skip = nodeSkip(ctx.cluster, endpoint.nodeName);
    for (const { family, primary } of families) {
      // Only the families whose EndpointSlice lists this pod.
      const address = endpointAddressesIn(endpoint, family)[0];
      if (address === undefined) continue;
      const ref = { podName: endpoint.podName, address, nodeName: endpoint.nodeName };
      const subject = endpointSubject(ref);
      const target = httpTarget(`${label}:${primary ? "" : `${family.toLowerCase()}:`}${containerPort}`, address, containerPort);
      probes.push(probe({ rule: "pod-ip-not-from-outside", service: state.service.name, vantage: "outside", target, subject, expect: noReach(state) }));
      for (const from of ctx.vantagePods) {
        probes.push(
          probe({ rule: "pod-ip-from-pod", service: state.service.name, vantage: "pod", from, target, subject, expect: { kind: "reach", endpoints: [ref] }, skip }),
        );
      }
    }
  }
  return probes;
}
