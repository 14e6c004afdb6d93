/**
 * Discovery: reads nodes, Services, EndpointSlices, the pods each selector
 * matches and the probe agents through the Kubernetes API, and turns them
 * into the plain {@link Cluster} model. Then waits, with a deadline, until
 * the cluster has settled enough to judge.
 */
import type * as k8s from "@kubernetes/client-node";
import { endpointFamilies, familyOf, primaryFamily } from "./checks/families";
import { compareFamilyEndpoints } from "./checks/selector";
import type { KubeLists } from "./kube/api";
import type {
  Cluster,
  EndpointInfo,
  NodeInfo,
  PodInfo,
  ProbeAgentInfo,
  ServiceInfo,
  ServicePortInfo,
  ServiceState,
  ServiceType,
} from "./model";

/** The label probe agents carry (CONTRACTS.md, "Probe agents"). */
export const PROBE_AGENT_SELECTOR = "app.kubernetes.io/component=probe";
/** The agent's HTTP port when its pod spec names none. */
export const DEFAULT_AGENT_PORT = 3000;
/** How often discovery re-reads the cluster while waiting for it to settle. */
export const POLL_INTERVAL_MS = 1000;

/** What discovery reads and where. */
export interface DiscoverOptions {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  /** Label selector for the Services to verify; all Services in the namespace by default. */
  readonly selector?: string;
  readonly clusterDomain: string;
}

/** Reads the cluster once. */
export async function discoverOnce(lists: KubeLists, options: DiscoverOptions): Promise<Cluster> {
  const { namespace } = options;
  const podsOf = podListPerSelector(lists, namespace);
  const [rawNodes, rawServices, slices, rawAgents] = await Promise.all([
    lists.nodes(),
    lists.services(namespace, options.selector),
    lists.endpointSlices(namespace),
    podsOf(PROBE_AGENT_SELECTOR),
  ]);
  const services = await Promise.all(
    rawServices.map(async (raw): Promise<ServiceState> => {
      const service = toService(raw);
      const pods = service.selector === undefined ? [] : (await podsOf(selectorString(service.selector))).map(toPod);
      return { service, pods, ...toEndpoints(slices, service) };
    }),
  );
  return {
    context: options.context,
    server: options.server,
    namespace,
    clusterDomain: options.clusterDomain,
    nodes: rawNodes.map(toNode).sort((a, b) => a.name.localeCompare(b.name)),
    services: services.sort((a, b) => a.service.name.localeCompare(b.service.name)),
    agents: rawAgents.map(toAgent).filter((a): a is ProbeAgentInfo => a !== undefined),
  };
}

/**
 * What still keeps the cluster from being judged fairly: nodes without a
 * ready probe agent, selected pods still Pending, and EndpointSlices that do
 * not yet list exactly the ready selected pods. Empty when settled.
 */
export function notSettled(cluster: Cluster): string[] {
  const waiting: string[] = [];
  for (const node of cluster.nodes) {
    // A NotReady node's agent will not come back by waiting: its probes are skipped instead.
    if (node.ready && !cluster.agents.some((a) => a.nodeName === node.name && a.ready)) waiting.push(`node ${node.name} has no ready probe agent`);
  }
  for (const state of cluster.services) {
    const { service, pods } = state;
    if (service.selector === undefined) continue;
    for (const pod of pods) {
      if (pod.phase === "Pending" && !pod.terminating) waiting.push(`pod ${cluster.namespace}/${pod.name} of Service ${service.name} is Pending`);
    }
    // Each family's EndpointSlice on its own: a dual-stack Service's IPv6 slice may lag behind the IPv4 one.
    for (const slice of endpointFamilies(state)) {
      const { missing, extra } = compareFamilyEndpoints(state, slice);
      if (missing.length === 0 && extra.length === 0) continue;
      waiting.push(slice.primary
        ? `endpoints of ${cluster.namespace}/${service.name} do not yet list exactly its ready pods`
        : `${slice.family} endpoints of ${cluster.namespace}/${service.name} do not yet list exactly its ready pods with an ${slice.family} address`);
    }
  }
  return waiting;
}

/**
 * Reads the cluster until {@link notSettled} is empty or `deadline`
 * (epoch ms) passes, polling every {@link POLL_INTERVAL_MS}. Returns the
 * last reading and what was still not settled. API errors are thrown.
 */
export async function discoverSettled(
  lists: KubeLists,
  options: DiscoverOptions,
  deadline: number,
  onWait?: (waiting: readonly string[]) => void,
): Promise<{ cluster: Cluster; unsettled: string[] }> {
  for (;;) {
    const cluster = await discoverOnce(lists, options);
    const unsettled = notSettled(cluster);
    const remaining = deadline - Date.now();
    if (unsettled.length === 0 || remaining <= 0) return { cluster, unsettled };
    onWait?.(unsettled);
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, remaining)));
  }
}

/**
 * Pod lists of one poll, one request per distinct selector: Services that
 * select the same pods (every frontend Service of a lab, say) share one
 * list, so a poll costs a request per distinct selector, not per Service.
 * Selectors equal but for the order of their terms count as one.
 */
function podListPerSelector(lists: KubeLists, namespace: string): (selector: string) => Promise<readonly k8s.V1Pod[]> {
  const asked = new Map<string, Promise<readonly k8s.V1Pod[]>>();
  return (selector) => {
    const key = selector.split(",").sort().join(",");
    let pods = asked.get(key);
    if (pods === undefined) {
      pods = lists.pods(namespace, selector);
      asked.set(key, pods);
    }
    return pods;
  };
}

// ---- conversion from API objects ---------------------------------------------

/** `a=b,c=d` from a selector map. */
export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

function isTrue(conditions: readonly { type: string; status: string }[] | undefined, type: string): boolean {
  return conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

/** Why a node is not Ready, from its Ready condition; undefined when it is Ready. */
function notReadyReason(node: k8s.V1Node): string | undefined {
  const condition = node.status?.conditions?.find((c) => c.type === "Ready");
  if (condition?.status === "True") return undefined;
  if (condition === undefined) return `node ${node.metadata?.name ?? "?"} is NotReady: it reports no Ready condition`;
  const why = [condition.reason, condition.message].filter((s) => s !== undefined && s !== "").join(": ");
  return `node ${node.metadata?.name ?? "?"} is NotReady (Ready=${condition.status})${why === "" ? "" : `: ${why}`}`;
}

function toNode(node: k8s.V1Node): NodeInfo {
  const labels = node.metadata?.labels ?? {};
  const notReady = notReadyReason(node);
  const controlPlane = "node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels;
  const internalIPs = (node.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address);
  return {
    name: node.metadata?.name ?? "",
    role: controlPlane ? "control-plane" : "worker",
    internalIP: internalIPs[0],
    // A dual-stack node reports one InternalIP per family.
    ...(internalIPs.length > 1 ? { internalIPs } : {}),
    ready: isTrue(node.status?.conditions, "Ready"),
    ...(notReady !== undefined ? { notReady } : {}),
  };
}

const SERVICE_TYPES: ReadonlySet<string> = new Set(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]);

function toService(svc: k8s.V1Service): ServiceInfo {
  const spec = svc.spec ?? {};
  const type = (spec.type !== undefined && SERVICE_TYPES.has(spec.type) ? spec.type : "ClusterIP") as ServiceType;
  const selector = spec.selector !== undefined && Object.keys(spec.selector).length > 0 ? spec.selector : undefined;
  const ports: ServicePortInfo[] = (spec.ports ?? []).map((p) => ({
    name: p.name ?? "",
    port: p.port,
    // targetPort defaults to port (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec).
    targetPort: p.targetPort ?? p.port,
    nodePort: p.nodePort,
    protocol: p.protocol ?? "TCP",
  }));
  const clusterIPs = type === "ExternalName" || spec.clusterIP === "None" ? [] : (spec.clusterIPs ?? []).filter((ip) => ip !== "None");
  const ipFamilies = (spec.ipFamilies ?? []).filter((f): f is "IPv4" | "IPv6" => f === "IPv4" || f === "IPv6");
  return {
    name: svc.metadata?.name ?? "",
    type,
    clusterIP: type === "ExternalName" ? undefined : spec.clusterIP,
    // A dual-stack Service has one ClusterIP per family (spec.clusterIPs, primary first).
    ...(clusterIPs.length > 1 ? { clusterIPs } : {}),
    ...(ipFamilies.length > 0 ? { ipFamilies } : {}),
    headless: spec.clusterIP === "None",
    ports,
    selector,
    sessionAffinity: spec.sessionAffinity === "ClientIP" ? "ClientIP" : "None",
    externalTrafficPolicy: spec.externalTrafficPolicy === "Local" ? "Local" : "Cluster",
    internalTrafficPolicy: spec.internalTrafficPolicy === "Local" ? "Local" : "Cluster",
    externalName: spec.externalName,
    loadBalancerIngress: (svc.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? i.hostname)
      .filter((a): a is string => a !== undefined && a !== ""),
    ...(spec.publishNotReadyAddresses === true ? { publishNotReadyAddresses: true } : {}),
  };
}

/**
 * Ready and serving-but-terminating endpoints of one Service, from its
 * EndpointSlices (label `kubernetes.io/service-name`). A dual-stack Service
 * has a slice per family (`addressType` IPv4 and IPv6): one pod's addresses
 * are merged into one endpoint, its `address` in the Service's primary family.
 */
function toEndpoints(
  slices: readonly k8s.V1EndpointSlice[],
  service: ServiceInfo,
): { endpoints: EndpointInfo[]; servingTerminating?: EndpointInfo[] } {
  const ready = collectEndpoints(slices, service, (c) => c?.ready !== false);
  const servingTerminating = collectEndpoints(slices, service, (c) => c?.ready === false && c.serving === true && c.terminating === true);
  return { endpoints: ready, ...(servingTerminating.length > 0 ? { servingTerminating } : {}) };
}

/** The endpoints of one Service whose conditions pass `include`, merged per pod across families. */
function collectEndpoints(
  slices: readonly k8s.V1EndpointSlice[],
  service: ServiceInfo,
  include: (conditions: k8s.V1EndpointConditions | undefined) => boolean,
): EndpointInfo[] {
  const serviceName = service.name;
  const primary = primaryFamily(service);
  const byKey = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    if (slice.metadata?.labels?.["kubernetes.io/service-name"] !== serviceName || slice.addressType === "FQDN") continue;
    const ports: Record<string, number> = {};
    for (const p of slice.ports ?? []) if (p.port !== undefined) ports[p.name ?? ""] = p.port;
    for (const endpoint of slice.endpoints) {
      // A nil ready condition means ready (https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions).
      if (!include(endpoint.conditions)) continue;
      const address = endpoint.addresses[0];
      if (address === undefined) continue;
      const podName = endpoint.targetRef?.kind === "Pod" ? endpoint.targetRef.name : undefined;
      const key = podName ?? address;
      const known = byKey.get(key);
      if (known === undefined) {
        byKey.set(key, { address, podName, nodeName: endpoint.nodeName, ports });
        continue;
      }
      const addresses = [...(known.addresses ?? [known.address]), address];
      const first = addresses.find((a) => familyOf(a) === primary) ?? known.address;
      byKey.set(key, { ...known, address: first, addresses: [first, ...addresses.filter((a) => a !== first)] });
    }
  }
  return [...byKey.values()];
}

function toPod(pod: k8s.V1Pod): PodInfo {
  const podIPs = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => ip !== undefined && ip !== "");
  return {
    name: pod.metadata?.name ?? "",
    podIP: pod.status?.podIP,
    // A dual-stack pod has one address per family (status.podIPs, primary first).
    ...(podIPs.length > 1 ? { podIPs } : {}),
    nodeName: pod.spec?.nodeName,
    ready: isTrue(pod.status?.conditions, "Ready"),
    phase: pod.status?.phase ?? "Unknown",
    terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
  };
}

function toAgent(pod: k8s.V1Pod): ProbeAgentInfo | undefined {
  const info = toPod(pod);
  if (info.nodeName === undefined) return undefined;
  const port = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === "http")?.containerPort;
  return {
    pod: info.name,
    nodeName: info.nodeName,
    podIP: info.podIP,
    port: port ?? DEFAULT_AGENT_PORT,
    ready: info.ready && !info.terminating,
  };
}
