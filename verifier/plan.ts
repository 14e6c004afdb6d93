/**
 * The planner: a pure function from a discovered cluster to the probes that
 * prove its reachability rules. No I/O; tested alone.
 *
 * Which checks a Service gets is decided by {@link CHECKS_BY_KIND}, the one
 * table to read (or change) to see what the verifier proves for each Service
 * type. Traffic policies, session affinity and "no ready endpoints" adjust
 * the expectations inside the individual checks.
 */
import { planApiProxy, planExternalNameProxy } from "./checks/api-proxy";
import { planClusterIp, planNoNodePort, planPortChain, planSpread } from "./checks/cluster-ip";
import { probe, type CheckPlanner, type PlanContext, type PlanOptions, type VantagePod } from "./checks/context";
import { planCname, planDns, planHeadlessDns } from "./checks/dns";
import { planLoadBalancer } from "./checks/load-balancer";
import { planLbNodePort, planNodePortRange, planNodePorts } from "./checks/node-port";
import { planEndpointsMatch, planPodIps } from "./checks/selector";
import type { Cluster, ServiceInfo } from "./model";
import type { Probe } from "./types";

export type { OutsideMode, PlanOptions } from "./checks/context";
export { NODE_PORT_RANGE } from "./checks/ranges";

/** The shape of a Service as far as the rules are concerned. */
export type ServiceKind = "ClusterIP" | "headless" | "NodePort" | "LoadBalancer" | "ExternalName";

/** The checks a Service can get; each is planned by one function in checks/. */
export type CheckName =
  | "endpoints"
  | "pod-ips"
  | "cluster-ip"
  | "dns"
  | "headless-dns"
  | "no-node-port"
  | "node-port-range"
  | "lb-node-port"
  | "node-ports"
  | "load-balancer"
  | "api-proxy"
  | "port-chain"
  | "spread"
  | "cname"
  | "externalname-proxy";

/**
 * The Service-type → checks table (DESIGN.md, "The reachability rules").
 * A Service without a selector skips the selector-based checks (`endpoints`,
 * `pod-ips`), as its endpoints are not derived from pods.
 */
export const CHECKS_BY_KIND: Readonly<Record<ServiceKind, readonly CheckName[]>> = {
  ClusterIP: ["endpoints", "pod-ips", "cluster-ip", "dns", "no-node-port", "api-proxy", "port-chain", "spread"],
  headless: ["endpoints", "pod-ips", "headless-dns", "api-proxy"],
  NodePort: ["endpoints", "pod-ips", "node-port-range", "node-ports", "cluster-ip", "dns", "api-proxy", "port-chain", "spread"],
  LoadBalancer: [
    "endpoints",
    "pod-ips",
    "lb-node-port",
    "node-port-range",
    "node-ports",
    "load-balancer",
    "cluster-ip",
    "dns",
    "api-proxy",
    "port-chain",
    "spread",
  ],
  ExternalName: ["cname", "externalname-proxy"],
};

/** The rule-relevant kind of a Service. */
export function serviceKind(service: ServiceInfo): ServiceKind {
  if (service.type === "ExternalName") return "ExternalName";
  if (service.headless) return "headless";
  return service.type;
}

/** Which function plans each check. */
const PLANNERS: Readonly<Record<CheckName, CheckPlanner>> = {
  endpoints: planEndpointsMatch,
  "pod-ips": planPodIps,
  "cluster-ip": planClusterIp,
  dns: planDns,
  "headless-dns": planHeadlessDns,
  "no-node-port": planNoNodePort,
  "node-port-range": planNodePortRange,
  "lb-node-port": planLbNodePort,
  "node-ports": planNodePorts,
  "load-balancer": planLoadBalancer,
  "api-proxy": planApiProxy,
  "port-chain": planPortChain,
  spread: planSpread,
  cname: planCname,
  "externalname-proxy": planExternalNameProxy,
};

const SELECTOR_CHECKS: ReadonlySet<CheckName> = new Set(["endpoints", "pod-ips"]);

/**
 * Plans every probe for a cluster: one probe-agent check per node, then the
 * checks of {@link CHECKS_BY_KIND} for each Service. Ids are unique and stable.
 */
export function planProbes(cluster: Cluster, options: PlanOptions): Probe[] {
  const vantagePods: VantagePod[] = cluster.nodes.map((node) => ({
    node,
    agent: cluster.agents.find((a) => a.nodeName === node.name && a.ready),
    ...(node.notReady !== undefined ? { skip: node.notReady } : {}),
  }));
  const probes: Probe[] = vantagePods.map(({ node, agent, skip }) =>
    probe({
      rule: "probe-agent-per-node",
      service: "probe",
      vantage: "api",
      target: { kind: "inspect", label: `agent:${node.name}` },
      expect: {
        kind: "fact",
        holds: agent !== undefined,
        detail: agent !== undefined
          ? `probe agent ${cluster.namespace}/${agent.pod} is ready on ${node.name}`
          : `no ready probe agent (label app.kubernetes.io/component=probe) on node ${node.name}`,
        otherwise: "error",
      },
      // A NotReady node is reported skipped with its reason: neither healthy nor a failure of the verifier.
      skip,
    }),
  );
  for (const state of cluster.services) {
    const ctx: PlanContext = { cluster, state, options, vantagePods };
    const checks = CHECKS_BY_KIND[serviceKind(state.service)].filter(
      (check) => state.service.selector !== undefined || !SELECTOR_CHECKS.has(check),
    );
    for (const check of checks) probes.push(...PLANNERS[check](ctx));
  }
  return probes;
}
