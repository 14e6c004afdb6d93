/**
 * Small Cluster models for the verifier's unit tests: the svclab lab's shape
 * (a control plane and two workers, frontend and backend pods on the
 * workers, one probe agent per node) with helpers to vary one thing.
 */
import type { Cluster, EndpointInfo, NodeInfo, PodInfo, ProbeAgentInfo, ServiceInfo, ServiceState } from "../../verifier/model";
import type { PlanOptions } from "../../verifier/plan";

export const NODES: readonly NodeInfo[] = [
  { name: "lab-control-plane", role: "control-plane", internalIP: "172.18.0.2", ready: true },
  { name: "lab-worker", role: "worker", internalIP: "172.18.0.3", ready: true },
  { name: "lab-worker2", role: "worker", internalIP: "172.18.0.4", ready: true },
];

/** Probe agents on every node, or on the nodes named. */
export function agents(nodeNames: readonly string[] = NODES.map((n) => n.name)): ProbeAgentInfo[] {
  return nodeNames.map((nodeName, i) => ({ pod: `probe-${i}`, nodeName, podIP: `10.244.${i}.9`, port: 3000, ready: true }));
}

/** A ready pod of `component` on `nodeName`. */
export function pod(name: string, nodeName: string, podIP: string, ready = true): PodInfo {
  return { name, podIP, nodeName, ready, phase: "Running", terminating: false };
}

/** The ready endpoint for a pod, with the `http` port resolved to 3000. */
export function endpointOf(p: PodInfo): EndpointInfo {
  return { address: p.podIP ?? "", podName: p.name, nodeName: p.nodeName, ports: { http: 3000 } };
}

export const FRONTEND_PODS: readonly PodInfo[] = [pod("frontend-a", "lab-worker", "10.244.1.5"), pod("frontend-b", "lab-worker2", "10.244.2.6")];

/** A Service with svclab's defaults (port `http` 80 → 3000, selecting the frontend) and overrides. */
export function service(overrides: Partial<ServiceInfo> & { name: string }): ServiceInfo {
  return {
    type: "ClusterIP",
    clusterIP: "10.96.0.10",
    headless: false,
    ports: [{ name: "http", port: 80, targetPort: 3000, nodePort: undefined, protocol: "TCP" }],
    selector: { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "frontend" },
    sessionAffinity: "None",
    externalTrafficPolicy: "Cluster",
    internalTrafficPolicy: "Cluster",
    externalName: undefined,
    loadBalancerIngress: [],
    ...overrides,
  };
}

/** A NodePort/LoadBalancer port list with the given nodePort. */
export function nodePorts(nodePort: number): ServiceInfo["ports"] {
  return [{ name: "http", port: 80, targetPort: 3000, nodePort, protocol: "TCP" }];
}

/** The Service's state with the frontend pods as ready endpoints (or the pods given). */
export function state(info: ServiceInfo, pods: readonly PodInfo[] = FRONTEND_PODS): ServiceState {
  const withSelector = info.selector !== undefined;
  return {
    service: info,
    pods: withSelector ? pods : [],
    endpoints: withSelector ? pods.filter((p) => p.ready).map(endpointOf) : [],
  };
}

/** A cluster with these Services, the three nodes and an agent on each (or the agents given). */
export function cluster(services: readonly ServiceState[], probeAgents: readonly ProbeAgentInfo[] = agents()): Cluster {
  return {
    context: "kind-lab",
    server: "https://127.0.0.1:6443",
    namespace: "svclab",
    clusterDomain: "cluster.local",
    nodes: NODES,
    services,
    agents: probeAgents,
  };
}

export const PLAN_DEFAULTS: PlanOptions = { spreadRequests: 30, outside: { kind: "direct" } };
