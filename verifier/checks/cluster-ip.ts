/**
 * ClusterIP checks: the virtual IP answers only inside the cluster (per node
 * for internalTrafficPolicy Local), opens no node port, ends on the
 * targetPort, and spreads or sticks.
 */
import type { Expectation, Probe } from "../types";
import { clusterIPsOf, familyPart } from "./families";
import { factProbe, noReach, probe, httpTarget, endpointsFor, targetPortNumber, firstVantage, reachOrRefused, usableEndpoints, type PlanContext } from "./context";

/**
 * The ClusterIP: not from outside; from the agent on every node (only same-node
 * endpoints with internalTrafficPolicy Local; refused with no endpoints).
 */
export function planClusterIp(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const service = state.service;
  const probes: Probe[] = [];
  // Every family's ClusterIP (spec.clusterIPs): a dual-stack Service must answer on each.
  for (const clusterIP of clusterIPsOf(service)) {
    for (const port of service.ports) {
      const target = httpTarget(`cluster-ip:${familyPart(clusterIP)}${port.port}`, clusterIP.address, port.port);
      // The other family's ClusterIP sends to the endpoints of that family's EndpointSlice.
      const usable = usableEndpoints(ctx, port, clusterIP.primary ? undefined : clusterIP.family);
      const endpoints = usable.endpoints;
      probes.push(probe({ rule: "clusterip-not-from-outside", service: service.name, vantage: "outside", target, expect: noReach(state) }));
      for (const from of ctx.vantagePods) {
        if (service.internalTrafficPolicy === "Local" && endpoints.length > 0) {
          // Only endpoints on the sender's node are eligible; with none there, kube-proxy drops the packet.
          // (With no ready endpoint, kube-proxy 1.26+ picks among the serving-but-terminating ones the same way.)
          const local = endpoints.filter((e) => e.nodeName === from.node.name);
          const expect: Expectation = local.length > 0 ? { kind: "reach", endpoints: local, onNode: from.node.name } : noReach(state);
          probes.push(probe({ rule: "itp-local-same-node", service: service.name, vantage: "pod", from, target, expect, because: usable.because }));
        } else {
          probes.push(probe({ service: service.name, vantage: "pod", from, target, ...reachOrRefused(usable, "clusterip-from-pod", ctx) }));
        }
      }
    }
  }
  return probes;
}

/** A ClusterIP Service has no nodePort on any port. */
export function planNoNodePort({ state }: PlanContext): Probe[] {
  const opened = state.service.ports.filter((p) => p.nodePort !== undefined);
  const detail = opened.length === 0 ? "no port has a nodePort" : `node ports opened: ${opened.map((p) => p.nodePort).join(", ")}`;
  return [factProbe("clusterip-no-node-port", state.service.name, "node-ports", opened.length === 0, detail)];
}

/** Service port → targetPort: the answering container reports the resolved targetPort as its listen port. */
export function planPortChain(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const service = state.service;
  const port = service.ports[0];
  const from = firstVantage(ctx);
  const listenPort = port === undefined ? undefined : targetPortNumber(state, port);
  if (port === undefined || from === undefined || listenPort === undefined || service.clusterIP === undefined) return [];
  const endpoints = endpointsFor(state, port);
  if (endpoints.length === 0 || service.internalTrafficPolicy === "Local") return [];
  return [
    probe({
      rule: "port-chain",
      service: service.name,
      vantage: "pod",
      from,
      target: httpTarget(`cluster-ip:${port.port}->${listenPort}`, service.clusterIP, port.port),
      expect: { kind: "reach", endpoints, listenPort },
    }),
  ];
}

/** `spreadRequests` requests through the ClusterIP: ≥ 2 pods answer, or exactly one with sessionAffinity ClientIP. */
export function planSpread(ctx: PlanContext): Probe[] {
  const { state, options } = ctx;
  const service = state.service;
  const port = service.ports[0];
  const from = firstVantage(ctx);
  if (port === undefined || from === undefined || service.clusterIP === undefined || service.internalTrafficPolicy === "Local") return [];
  const endpoints = endpointsFor(state, port);
  // With no endpoints at all, the no-endpoints-refuse checks say what matters.
  if (endpoints.length === 0) return [];
  const requests = options.spreadRequests;
  const pods = new Set(endpoints.map((e) => e.podName ?? e.address));
  // With one pod, "spread" cannot happen and "sticky" cannot fail: neither proves anything.
  const tooFewPods = pods.size < 2 ? `${ctx.cluster.namespace}/${service.name} has ${pods.size} ready pod(s); the check needs at least 2` : undefined;
  if (service.sessionAffinity === "ClientIP") {
    return [
      probe({
        rule: "session-affinity",
        service: service.name,
        vantage: "pod",
        from,
        target: httpTarget(`cluster-ip:${port.port}:affinity`, service.clusterIP, port.port, requests),
        expect: { kind: "single-pod", endpoints },
        skip: tooFewPods,
      }),
    ];
  }
  const target = httpTarget(`cluster-ip:${port.port}:spread`, service.clusterIP, port.port, requests);
  return [
    probe({
      rule: "spread",
      service: service.name,
      vantage: "pod",
      from,
      target,
      expect: { kind: "spread", endpoints, minPods: 2 },
      skip: tooFewPods,
    }),
  ];
}
