/**
 * The planner: a pure function from a discovered cluster to the probes that
 * prove its reachability rules. No I/O; tested alone.
 *
 * Which checks a Service gets is decided by {@link CHECKS_BY_KIND}, the one
 * table to read (or change) to see what the verifier proves for each Service
 * type. Traffic policies, session affinity and "no ready endpoints" adjust
 * the expectations inside the individual checks.
 */
import type { Cluster, NodeInfo, ProbeAgentInfo, ServiceInfo, ServicePortInfo, ServiceState } from "./model";
import type { RuleId, Vantage } from "./rules";
import type { EndpointRef, Expectation, Probe, Target } from "./types";

/** The default node port range of the API server (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** How the outside vantage reaches node ports. */
export type OutsideMode =
  /** Node IPs are routable from this machine (Linux with Docker, or a real cluster). */
  | { readonly kind: "direct" }
  /** Node IPs are not routable (Docker Desktop): node ports are tried on 127.0.0.1, where kind maps them. */
  | { readonly kind: "localhost"; readonly reason: string };

/** Planner options. */
export interface PlanOptions {
  /** Requests sent for the spread and session-affinity checks (1–100). */
  readonly spreadRequests: number;
  readonly outside: OutsideMode;
}

/** The shape of a Service as far as the rules are concerned. */
export type ServiceKind = "ClusterIP" | "headless" | "NodePort" | "LoadBalancer" | "ExternalName";

/** The checks a Service can get; each is planned by one function below. */
type CheckName =
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

/** Everything a check needs to plan the probes of one Service. */
interface PlanContext {
  readonly cluster: Cluster;
  readonly state: ServiceState;
  readonly options: PlanOptions;
  /** One entry per node; `agent` is undefined when the node has no ready probe agent. */
  readonly vantagePods: readonly { readonly node: NodeInfo; readonly agent: ProbeAgentInfo | undefined }[];
}

type CheckPlanner = (ctx: PlanContext) => Probe[];

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
  const vantagePods = cluster.nodes.map((node) => ({
    node,
    agent: cluster.agents.find((a) => a.nodeName === node.name && a.ready),
  }));
  const probes: Probe[] = vantagePods.map(({ node, agent }) =>
    probe({
      rule: "probe-agent-per-node",
      service: "probe",
      vantage: "api",
      target: { kind: "inspect", label: `agent:${node.name}` },
      expect: {
        kind: "fact",
        holds: agent !== undefined,
        detail: agent
          ? `probe agent ${cluster.namespace}/${agent.pod} is ready on ${node.name}`
          : `no ready probe agent (label app.kubernetes.io/component=probe) on node ${node.name}`,
        otherwise: "error",
      },
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

// ---- helpers ---------------------------------------------------------------

interface ProbeSpec {
  readonly rule: RuleId;
  readonly service: string;
  readonly vantage: Vantage;
  readonly from?: { readonly node: NodeInfo; readonly agent: ProbeAgentInfo | undefined };
  readonly target: Target;
  readonly expect: Expectation;
  readonly skip?: string;
  readonly skipWhenRefused?: string;
}

function probe(spec: ProbeSpec): Probe {
  const vantagePart = spec.from ? `pod:${spec.from.node.name}` : spec.vantage;
  return {
    id: `${spec.service}/${spec.target.label}/${vantagePart}`,
    rule: spec.rule,
    service: spec.service,
    vantage: spec.vantage,
    ...(spec.from ? { from: spec.from.node.name, agent: spec.from.agent } : {}),
    target: spec.target,
    expect: spec.expect,
    ...(spec.skip !== undefined ? { skip: spec.skip } : {}),
    ...(spec.skipWhenRefused !== undefined ? { skipWhenRefused: spec.skipWhenRefused } : {}),
  };
}

/** `host:port`, bracketing IPv6 literals. */
function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function httpTarget(label: string, host: string, port: number, requests = 1): Target {
  return { kind: "http", label, url: `http://${hostPort(host, port)}/`, requests };
}

/** The Service's ready endpoints serving this port (all of them when the slices name no ports). */
function endpointsFor(state: ServiceState, port: ServicePortInfo): EndpointRef[] {
  return state.endpoints
    .filter((e) => Object.keys(e.ports).length === 0 || e.ports[port.name] !== undefined)
    .map((e) => ({ podName: e.podName, address: e.address, nodeName: e.nodeName }));
}

/** The container port a Service port reaches, as the EndpointSlice resolved it. */
function targetPortNumber(state: ServiceState, port: ServicePortInfo): number | undefined {
  for (const e of state.endpoints) {
    const resolved = e.ports[port.name];
    if (resolved !== undefined) return resolved;
  }
  return typeof port.targetPort === "number" ? port.targetPort : undefined;
}

function dnsName(cluster: Cluster, service: ServiceInfo): string {
  return `${service.name}.${cluster.namespace}.svc.${cluster.clusterDomain}`;
}

/** The node the spread, affinity and port-chain checks send from: the first with an agent. */
function firstVantage(ctx: PlanContext): PlanContext["vantagePods"][number] | undefined {
  return ctx.vantagePods.find((v) => v.agent !== undefined) ?? ctx.vantagePods[0];
}

/** Reach the endpoints, or be refused when there are none (kube-proxy rejects). */
function reachOrRefused(endpoints: readonly EndpointRef[], rule: RuleId): { rule: RuleId; expect: Expectation } {
  return endpoints.length > 0 ? { rule, expect: { kind: "reach", endpoints } } : { rule: "no-endpoints-refuse", expect: { kind: "refused" } };
}

// ---- checks ------------------------------------------------------------------

function planEndpointsMatch({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  const expected = state.pods.filter((p) => p.ready && !p.terminating).map((p) => p.name);
  const actual = state.endpoints.map((e) => e.podName ?? e.address);
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const holds = missing.length === 0 && extra.length === 0;
  const detail = holds
    ? `endpoints of ${cluster.namespace}/${service.name} = ready pods [${expected.join(", ")}]`
    : [
        missing.length > 0 ? `ready pods without an endpoint: ${missing.join(", ")}` : "",
        extra.length > 0 ? `endpoints that are not ready selected pods: ${extra.join(", ")}` : "",
      ]
        .filter((s) => s !== "")
        .join("; ");
  return [
    probe({
      rule: "endpoints-match-selector",
      service: service.name,
      vantage: "api",
      target: { kind: "inspect", label: "endpoints" },
      expect: { kind: "fact", holds, detail, otherwise: "fail" },
    }),
  ];
}

function planPodIps(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const port = state.service.ports[0];
  if (port === undefined) return [];
  const containerPort = targetPortNumber(state, port);
  if (containerPort === undefined) return [];
  const probes: Probe[] = [];
  for (const endpoint of endpointsFor(state, port)) {
    const label = `pod:${endpoint.podName ?? endpoint.address}:${containerPort}`;
    const target = httpTarget(label, endpoint.address, containerPort);
    probes.push(probe({ rule: "pod-ip-not-from-outside", service: state.service.name, vantage: "outside", target, expect: { kind: "no-reach" } }));
    for (const from of ctx.vantagePods) {
      probes.push(
        probe({ rule: "pod-ip-from-pod", service: state.service.name, vantage: "pod", from, target, expect: { kind: "reach", endpoints: [endpoint] } }),
      );
    }
  }
  return probes;
}

function planClusterIp(ctx: PlanContext): Probe[] {
  const { state } = ctx;
  const service = state.service;
  const clusterIP = service.clusterIP;
  if (clusterIP === undefined || service.headless) return [];
  const probes: Probe[] = [];
  for (const port of service.ports) {
    const target = httpTarget(`cluster-ip:${port.port}`, clusterIP, port.port);
    const endpoints = endpointsFor(state, port);
    probes.push(probe({ rule: "clusterip-not-from-outside", service: service.name, vantage: "outside", target, expect: { kind: "no-reach" } }));
    for (const from of ctx.vantagePods) {
      if (service.internalTrafficPolicy === "Local" && endpoints.length > 0) {
        // Only endpoints on the sender's node are eligible; with none there, kube-proxy drops the packet.
        const local = endpoints.filter((e) => e.nodeName === from.node.name);
        const expect: Expectation = local.length > 0 ? { kind: "reach", endpoints: local, onNode: from.node.name } : { kind: "no-reach" };
        probes.push(probe({ rule: "itp-local-same-node", service: service.name, vantage: "pod", from, target, expect }));
      } else {
        probes.push(probe({ service: service.name, vantage: "pod", from, target, ...reachOrRefused(endpoints, "clusterip-from-pod") }));
      }
    }
  }
  return probes;
}

function planDns(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const service = state.service;
  const name = dnsName(cluster, service);
  const clusterIP = service.clusterIP;
  const port = service.ports[0];
  const probes: Probe[] = [
    probe({
      rule: "dns-not-outside",
      service: service.name,
      vantage: "outside",
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "no-resolve" },
    }),
  ];
  const from = firstVantage(ctx);
  if (from === undefined || clusterIP === undefined) return probes;
  probes.push(
    probe({
      rule: "dns-resolves-in-cluster",
      service: service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "resolves-to", records: [clusterIP] },
    }),
  );
  if (port !== undefined && service.internalTrafficPolicy === "Cluster") {
    probes.push(
      probe({
        service: service.name,
        vantage: "pod",
        from,
        target: httpTarget(`dns:${name}:${port.port}`, name, port.port),
        ...reachOrRefused(endpointsFor(state, port), "dns-name-answers"),
      }),
    );
  }
  return probes;
}

function planHeadlessDns(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const name = dnsName(cluster, state.service);
  const from = firstVantage(ctx);
  if (from === undefined) return [];
  return [
    probe({
      rule: "headless-a-records",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "resolves-to", records: state.endpoints.map((e) => e.address) },
    }),
  ];
}

function planNoNodePort({ state }: PlanContext): Probe[] {
  const opened = state.service.ports.filter((p) => p.nodePort !== undefined);
  return [
    probe({
      rule: "clusterip-no-node-port",
      service: state.service.name,
      vantage: "api",
      target: { kind: "inspect", label: "node-ports" },
      expect: {
        kind: "fact",
        holds: opened.length === 0,
        detail: opened.length === 0 ? "no port has a nodePort" : `node ports opened: ${opened.map((p) => p.nodePort).join(", ")}`,
        otherwise: "fail",
      },
    }),
  ];
}

function planNodePortRange({ state }: PlanContext): Probe[] {
  return state.service.ports.map((port) => {
    const nodePort = port.nodePort;
    const holds = nodePort !== undefined && nodePort >= NODE_PORT_RANGE.min && nodePort <= NODE_PORT_RANGE.max;
    return probe({
      rule: "nodeport-in-range",
      service: state.service.name,
      vantage: "api",
      target: { kind: "inspect", label: `node-port:${port.name === "" ? port.port : port.name}` },
      expect: {
        kind: "fact",
        holds,
        detail:
          nodePort === undefined
            ? `port ${port.port} has no nodePort`
            : `nodePort ${nodePort} is ${holds ? "inside" : "outside"} ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
        otherwise: "fail",
      },
    });
  });
}

function planLbNodePort({ state }: PlanContext): Probe[] {
  const missing = state.service.ports.filter((p) => p.nodePort === undefined);
  return [
    probe({
      rule: "lb-node-port-allocated",
      service: state.service.name,
      vantage: "api",
      target: { kind: "inspect", label: "lb-node-ports" },
      expect: {
        kind: "fact",
        holds: missing.length === 0,
        detail:
          missing.length === 0
            ? `node ports ${state.service.ports.map((p) => p.nodePort).join(", ")} allocated`
            : `ports without a nodePort: ${missing.map((p) => p.port).join(", ")}`,
        otherwise: "fail",
      },
    }),
  ];
}

function planNodePorts(ctx: PlanContext): Probe[] {
  const { cluster, state, options } = ctx;
  const service = state.service;
  const local = service.externalTrafficPolicy === "Local";
  const probes: Probe[] = [];
  for (const port of service.ports) {
    const nodePort = port.nodePort;
    if (nodePort === undefined) continue;
    const endpoints = endpointsFor(state, port);
    if (options.outside.kind === "localhost") {
      probes.push(...planLocalhostNodePort(ctx, port, nodePort, endpoints));
    }
    let clientCheckPlanned = false;
    for (const node of cluster.nodes) {
      const label = `node:${node.name}:${nodePort}`;
      const host = node.internalIP;
      const target = httpTarget(label, host ?? node.name, nodePort);
      const noAddress = host === undefined ? `node ${node.name} reports no InternalIP` : undefined;
      const outsideSkip = noAddress ?? (options.outside.kind === "localhost" ? options.outside.reason : undefined);
      if (local) {
        const onNode = endpoints.filter((e) => e.nodeName === node.name);
        const expect: Expectation = onNode.length > 0 ? { kind: "reach", endpoints: onNode, onNode: node.name } : { kind: "no-reach" };
        probes.push(probe({ rule: "etp-local-only-local-nodes", service: service.name, vantage: "outside", target, expect, skip: outsideSkip }));
        if (onNode.length > 0 && !clientCheckPlanned && host !== undefined) {
          clientCheckPlanned = true;
          probes.push(
            probe({
              rule: "etp-local-preserves-client",
              service: service.name,
              vantage: "outside",
              target: httpTarget(`${label}:client`, host, nodePort),
              expect: { kind: "reach", endpoints: onNode, clientNotIn: clusterAddresses(cluster) },
              skip: outsideSkip,
            }),
          );
        }
        continue;
      }
      probes.push(
        probe({ service: service.name, vantage: "outside", target, skip: outsideSkip, ...reachOrRefused(endpoints, "nodeport-from-outside") }),
      );
      for (const from of ctx.vantagePods) {
        probes.push(
          probe({ service: service.name, vantage: "pod", from, target, skip: noAddress, ...reachOrRefused(endpoints, "nodeport-from-pod") }),
        );
      }
    }
  }
  return probes;
}

/** On Docker Desktop, kind publishes chosen node ports on 127.0.0.1 (`extraPortMappings`). */
function planLocalhostNodePort(ctx: PlanContext, port: ServicePortInfo, nodePort: number, endpoints: readonly EndpointRef[]): Probe[] {
  const service = ctx.state.service;
  if (service.externalTrafficPolicy === "Local") return [];
  return [
    probe({
      service: service.name,
      vantage: "outside",
      target: httpTarget(`localhost:${nodePort}`, "127.0.0.1", nodePort),
      skipWhenRefused: `nothing listens on 127.0.0.1:${nodePort}: the kind cluster has no extraPortMappings entry for node port ${nodePort} (port ${port.port})`,
      ...reachOrRefused(endpoints, "nodeport-from-outside"),
    }),
  ];
}

/** Node and pod addresses: a client address seen by a pod that is one of these was rewritten (SNAT). */
function clusterAddresses(cluster: Cluster): string[] {
  const addresses = new Set<string>();
  for (const node of cluster.nodes) if (node.internalIP !== undefined) addresses.add(node.internalIP);
  for (const state of cluster.services) {
    for (const pod of state.pods) if (pod.podIP !== undefined) addresses.add(pod.podIP);
    for (const e of state.endpoints) addresses.add(e.address);
  }
  for (const agent of cluster.agents) if (agent.podIP !== undefined) addresses.add(agent.podIP);
  return [...addresses];
}

function planLoadBalancer(ctx: PlanContext): Probe[] {
  const { state, options } = ctx;
  const service = state.service;
  const probes: Probe[] = [];
  for (const port of service.ports) {
    const endpoints = endpointsFor(state, port);
    const expect: Expectation = endpoints.length > 0 ? { kind: "reach", endpoints } : { kind: "no-reach" };
    if (service.loadBalancerIngress.length === 0) {
      const skip = `no load-balancer address assigned to ${ctx.cluster.namespace}/${service.name} (status.loadBalancer.ingress is empty)`;
      const target: Target = { kind: "inspect", label: `lb:pending:${port.port}` };
      probes.push(probe({ rule: "lb-from-outside", service: service.name, vantage: "outside", target, expect, skip }));
      continue;
    }
    for (const address of service.loadBalancerIngress) {
      const target = httpTarget(`lb:${address}:${port.port}`, address, port.port);
      const outsideSkip =
        options.outside.kind === "localhost" ? `${options.outside.reason}; load-balancer addresses live on the same network` : undefined;
      probes.push(probe({ rule: "lb-from-outside", service: service.name, vantage: "outside", target, expect, skip: outsideSkip }));
      const from = firstVantage(ctx);
      if (from !== undefined) probes.push(probe({ rule: "lb-from-pod", service: service.name, vantage: "pod", from, target, expect }));
    }
  }
  return probes;
}

function planApiProxy({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  return service.ports.map((port) => {
    const portRef = port.name === "" ? String(port.port) : port.name;
    const endpoints = endpointsFor(state, port);
    return probe({
      rule: endpoints.length > 0 ? "service-via-api-proxy" : "no-endpoints-refuse",
      service: service.name,
      vantage: "api-proxy",
      target: {
        kind: "api-proxy",
        label: `proxy:${portRef}`,
        path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(portRef)}/proxy/`,
      },
      expect: endpoints.length > 0 ? { kind: "reach", endpoints } : { kind: "proxy-fails" },
    });
  });
}

function planPortChain(ctx: PlanContext): Probe[] {
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

function planSpread(ctx: PlanContext): Probe[] {
  const { state, options } = ctx;
  const service = state.service;
  const port = service.ports[0];
  const from = firstVantage(ctx);
  if (port === undefined || from === undefined || service.clusterIP === undefined || service.internalTrafficPolicy === "Local") return [];
  const endpoints = endpointsFor(state, port);
  // With no endpoints at all, the no-endpoints-refuse checks say what matters.
  if (endpoints.length === 0) return [];
  const requests = options.spreadRequests;
  if (service.sessionAffinity === "ClientIP") {
    return [
      probe({
        rule: "session-affinity",
        service: service.name,
        vantage: "pod",
        from,
        target: httpTarget(`cluster-ip:${port.port}:affinity`, service.clusterIP, port.port, requests),
        expect: { kind: "single-pod", endpoints },
      }),
    ];
  }
  const pods = new Set(endpoints.map((e) => e.podName ?? e.address));
  const target = httpTarget(`cluster-ip:${port.port}:spread`, service.clusterIP, port.port, requests);
  return [
    probe({
      rule: "spread",
      service: service.name,
      vantage: "pod",
      from,
      target,
      expect: { kind: "spread", endpoints, minPods: 2 },
      skip: pods.size < 2 ? `${ctx.cluster.namespace}/${service.name} has ${pods.size} ready pod(s); spreading needs at least 2` : undefined,
    }),
  ];
}

function planCname(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const from = firstVantage(ctx);
  const externalName = state.service.externalName;
  if (from === undefined || externalName === undefined) return [];
  const name = dnsName(cluster, state.service);
  return [
    probe({
      rule: "externalname-cname",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}:cname`, name, recordType: "CNAME" },
      expect: { kind: "cname", name: externalName },
    }),
  ];
}

function planExternalNameProxy({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  const portRef = service.ports[0] === undefined ? "80" : service.ports[0].name === "" ? String(service.ports[0].port) : service.ports[0].name;
  return [
    probe({
      rule: "externalname-no-proxy",
      service: service.name,
      vantage: "api-proxy",
      target: {
        kind: "api-proxy",
        label: `proxy:${portRef}`,
        path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(portRef)}/proxy/`,
      },
      expect: { kind: "proxy-fails" },
    }),
  ];
}
