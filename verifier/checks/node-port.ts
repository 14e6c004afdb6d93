/**
 * Node port checks: allocated in range (for LoadBalancers too), answering on
 * every node (or, with externalTrafficPolicy Local, only where a ready pod
 * runs).
 */
import type { Cluster, NodeInfo, ServicePortInfo } from "../model";
import { NODE_PORT_RANGE } from "./ranges";
import type { Expectation, Probe } from "../types";
import { nodeAddressesFor, podAddresses, type FamilyAddress } from "./families";
import { factProbe, noReach, probe, httpTarget, reachOrRefused, usableEndpoints, type PlanContext, type UsableEndpoints } from "./context";
import { nodePortName } from "./stable-names";

/** Each nodePort lies in {@link NODE_PORT_RANGE}. */
export function planNodePortRange({ state }: PlanContext): Probe[] {
  return state.service.ports.map((port) => {
    const nodePort = port.nodePort;
    const holds = nodePort !== undefined && nodePort >= NODE_PORT_RANGE.min && nodePort <= NODE_PORT_RANGE.max;
    const detail =
      nodePort === undefined
        ? `port ${port.port} has no nodePort`
        : `nodePort ${nodePort} is ${holds ? "inside" : "outside"} ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`;
    return factProbe("nodeport-in-range", state.service.name, `node-port:${port.name === "" ? port.port : port.name}`, holds, detail);
  });
}

/** A LoadBalancer Service has a nodePort on every port (allocateLoadBalancerNodePorts defaults to true). */
export function planLbNodePort({ state }: PlanContext): Probe[] {
  const missing = state.service.ports.filter((p) => p.nodePort === undefined);
  const detail =
    missing.length === 0
      ? `node ports ${state.service.ports.map((p) => p.nodePort).join(", ")} allocated`
      : `ports without a nodePort: ${missing.map((p) => p.port).join(", ")}`;
  return [factProbe("lb-node-port-allocated", state.service.name, "lb-node-ports", missing.length === 0, detail)];
}

/**
 * Each nodePort on every node's InternalIP: from outside and from every agent;
 * with externalTrafficPolicy Local, from outside only where a ready pod runs.
 */
export function planNodePorts(ctx: PlanContext): Probe[] {
  const { cluster, state, options } = ctx;
  const service = state.service;
  const local = service.externalTrafficPolicy === "Local";
  const probes: Probe[] = [];
  for (const port of service.ports) {
    const nodePort = port.nodePort;
    if (nodePort === undefined) continue;
    const usable = usableEndpoints(ctx, port);
    if (options.outside.kind === "localhost") {
      probes.push(...planLocalhostNodePort(ctx, port, nodePort, usable));
    }
    // Every node, on its address of each of the Service's families (dual stack: IPv4 and IPv6).
    const nodeTargets = cluster.nodes.flatMap((node): { node: NodeInfo; address: FamilyAddress | undefined }[] => {
      const addresses = nodeAddressesFor(node, service);
      return addresses.length === 0 ? [{ node, address: undefined }] : addresses.map((address) => ({ node, address }));
    });
    for (const { node, address } of nodeTargets) {
      const host = address?.address;
      // The other family's node address sends to the endpoints of that family's EndpointSlice.
      const familyUsable = address === undefined || address.primary ? usable : usableEndpoints(ctx, port, address.family);
      const familyEndpoints = familyUsable.endpoints;
      // Named by the Service port: an allocated nodePort changes when the Service is created anew (stable-names.ts).
      const named = nodePortName(node.name, port, nodePort, host ?? "(no InternalIP)");
      // The other family's address of a dual-stack node port carries the family: node-port:<node>:http:ipv6.
      const label = address === undefined || address.primary ? named.label : `${named.label}:${address.family.toLowerCase()}`;
      const subject = named.subject;
      const target = httpTarget(label, host ?? node.name, nodePort);
      // A NotReady node's node port is not probed as healthy (nor counted against the Service).
      const noAddress = node.notReady ?? (host === undefined ? `node ${node.name} reports no InternalIP` : undefined);
      const outsideSkip = noAddress ?? (options.outside.kind === "localhost" ? options.outside.reason : undefined);
      // With no ready endpoint anywhere, kube-proxy REJECTs even under a Local
      // policy; it only DROPs when endpoints exist but none on this node.
      // (kube-proxy 1.26+ with only serving-but-terminating endpoints: the same, over those.)
      if (local && familyEndpoints.length > 0) {
        const onNode = familyEndpoints.filter((e) => e.nodeName === node.name);
        const expect: Expectation = onNode.length > 0 ? { kind: "reach", endpoints: onNode, onNode: node.name } : noReach(state);
        probes.push(probe({ rule: "etp-local-only-local-nodes", service: service.name, vantage: "outside", target, subject, expect, skip: outsideSkip, because: familyUsable.because }));
        // On every node with a local endpoint: a SNAT configured on one node only must show there.
        if (onNode.length > 0 && host !== undefined) {
          probes.push(
            probe({
              rule: "etp-local-preserves-client",
              service: service.name,
              vantage: "outside",
              target: httpTarget(`${label}:client`, host, nodePort),
              subject,
              expect: { kind: "reach", endpoints: onNode, clientNotIn: clusterAddresses(cluster) },
              skip: outsideSkip,
              because: familyUsable.because,
            }),
          );
        }
        continue;
      }
      probes.push(
        probe({ service: service.name, vantage: "outside", target, subject, skip: outsideSkip, ...reachOrRefused(familyUsable, "nodeport-from-outside", ctx) }),
      );
      for (const from of ctx.vantagePods) {
        probes.push(
          probe({ service: service.name, vantage: "pod", from, target, subject, skip: noAddress, ...reachOrRefused(familyUsable, "nodeport-from-pod", ctx) }),
        );
      }
    }
  }
  return probes;
}

/**
 * On Docker Desktop, kind publishes chosen node ports on 127.0.0.1
 * (`extraPortMappings`), each from one node. Under externalTrafficPolicy
 * Local that node must run a ready pod of the Service (the lab publishes
 * frontend-local's port from a worker that does); one without drops the
 * request, and the probe fails on the timeout.
 */
function planLocalhostNodePort(ctx: PlanContext, port: ServicePortInfo, nodePort: number, usable: UsableEndpoints): Probe[] {
  const service = ctx.state.service;
  const rule = service.externalTrafficPolicy === "Local" ? "etp-local-only-local-nodes" : "nodeport-from-outside";
  return [
    probe({
      service: service.name,
      vantage: "outside",
      target: httpTarget(nodePortName("localhost", port, nodePort, "127.0.0.1").label, "127.0.0.1", nodePort),
      subject: nodePortName("localhost", port, nodePort, "127.0.0.1").subject,
      skipWhenRefused: `nothing listens on 127.0.0.1:${nodePort}: no kind extraPortMappings entry publishes node port ${nodePort} (port ${port.port}) on the same host port, the only one tried`,
      ...reachOrRefused(usable, rule, ctx),
    }),
  ];
}

/** Node and pod addresses: a client address seen by a pod that is one of these was rewritten (SNAT). */
function clusterAddresses(cluster: Cluster): string[] {
  const addresses = new Set<string>();
  for (const node of cluster.nodes) for (const ip of node.internalIPs ?? (node.internalIP !== undefined ? [node.internalIP] : [])) addresses.add(ip);
  for (const state of cluster.services) {
    for (const pod of state.pods) for (const ip of podAddresses(pod)) addresses.add(ip);
    for (const e of state.endpoints) for (const ip of e.addresses ?? [e.address]) addresses.add(ip);
  }
  for (const agent of cluster.agents) if (agent.podIP !== undefined) addresses.add(agent.podIP);
  return [...addresses];
}
