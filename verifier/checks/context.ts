/**
 * What every check planner shares: the planning context, the probe builder
 * and the small address helpers. Pure; no I/O.
 */
import { fallbackWords, type DataPlaneInfo } from "../data-plane";
import type { Cluster, EndpointInfo, NodeInfo, ProbeAgentInfo, ServiceInfo, ServicePortInfo, ServiceState } from "../model";
import type { RuleId, Vantage } from "../rules";
import type { EndpointRef, Expectation, Probe, Target } from "../types";
import { endpointAddressesIn, type Family } from "./families";

/** How the outside vantage reaches node ports. */
export type OutsideMode =
  /** Node IPs are routable from this machine (Linux with Docker, or a real cluster). */
  | { readonly kind: "direct" }
  /** Node IPs are not routable (Docker Desktop): node ports are tried on 127.0.0.1, where kind maps them. */
  | { readonly kind: "localhost"; readonly reason: string };

/** Planner options. */
export interface PlanOptions {
  /** Requests sent for the spread and session-affinity checks (2–100). */
  readonly spreadRequests: number;
  readonly outside: OutsideMode;
  /**
   * What implements Services; the expectations of data-plane rules follow it.
   * Absent: kube-proxy in iptables mode, what the real-cluster capture shows.
   */
  readonly dataPlane?: DataPlaneInfo;
}

/** A node, and its ready probe agent if it has one. */
export interface VantagePod {
  readonly node: NodeInfo;
  readonly agent: ProbeAgentInfo | undefined;
  /** Why probes from this node are skipped: it is NotReady (its `notReady` reason). */
  readonly skip?: string;
}

/** Everything a check needs to plan the probes of one Service. */
export interface PlanContext {
  readonly cluster: Cluster;
  readonly state: ServiceState;
  readonly options: PlanOptions;
  /** One entry per node; `agent` is undefined when the node has no ready probe agent. */
  readonly vantagePods: readonly VantagePod[];
}

/** Plans the probes of one check for one Service. */
export type CheckPlanner = (ctx: PlanContext) => Probe[];

export interface ProbeSpec {
  readonly rule: RuleId;
  readonly service: string;
  readonly vantage: Vantage;
  readonly from?: VantagePod;
  readonly target: Target;
  readonly expect: Expectation;
  readonly skip?: string;
  readonly skipWhenRefused?: string;
  /** What a stable target label stands for in this run (a pod's real name); see stable-names.ts. */
  readonly subject?: string;
  /** Which case of the rule applied, for the verdict's reason (see Probe.because). */
  readonly because?: string;
}

/** A fact read from the API objects (vantage `api`, no traffic): it holds, or the rule fails. */
export function factProbe(rule: RuleId, service: string, label: string, holds: boolean, detail: string): Probe {
  return probe({ rule, service, vantage: "api", target: { kind: "inspect", label }, expect: { kind: "fact", holds, detail, otherwise: "fail" } });
}

/**
 * Builds a probe with its stable id `<service>/<target>/<vantage>` (`pod:<node>`
 * for pod probes). Labels must not carry what changes between runs of the same
 * lab (pod names, pod IPs, assigned addresses): name those in `subject`.
 */
export function probe(spec: ProbeSpec): Probe {
  const vantagePart = spec.from ? `pod:${spec.from.node.name}` : spec.vantage;
  return {
    id: `${spec.service}/${spec.target.label}/${vantagePart}`,
    rule: spec.rule,
    service: spec.service,
    vantage: spec.vantage,
    ...(spec.from ? { from: spec.from.node.name, agent: spec.from.agent } : {}),
    target: spec.target,
    expect: spec.expect,
    // A NotReady sender is not probed as healthy: its probes are skipped with the reason.
    ...((spec.skip ?? spec.from?.skip) !== undefined ? { skip: spec.skip ?? spec.from?.skip } : {}),
    ...(spec.skipWhenRefused !== undefined ? { skipWhenRefused: spec.skipWhenRefused } : {}),
    ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
    ...(spec.because !== undefined ? { because: spec.because } : {}),
  };
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * What every probe asks for: the answering pod's identity. `backend=skip`
 * keeps a frontend from calling its backend first (docs/CONTRACTS.md): the
 * verdict is about which pod answered, so that call would double the traffic
 * and tie a frontend's answer to the backend's health. Other roles ignore it.
 */
export const IDENTITY_PATH = "/?backend=skip";

/** An HTTP GET target of `http://host:port/?backend=skip`, sent `requests` times. */
export function httpTarget(label: string, host: string, port: number, requests = 1): Target {
  return { kind: "http", label, url: `http://${hostPort(host, port)}${IDENTITY_PATH}`, requests };
}

/**
 * The Service's ready endpoints serving this port (all of them when the slices
 * name no ports). With `family`: only those that family's EndpointSlice lists,
 * each by its address in that family, as kube-proxy's rules for that family's
 * ClusterIP or node address send to them.
 */
export function endpointsFor(state: ServiceState, port: ServicePortInfo, family?: Family): EndpointRef[] {
  return refsFor(state.endpoints, port, family);
}

/**
 * Every pod whose answer would be a reach of the Service: its endpoints and
 * the pods its selector matches, ready or not. An expected "no" fails only
 * when one of these answers; anything else answering is "not the Service".
 */
export function servicePods(state: ServiceState): EndpointRef[] {
  const pods: EndpointRef[] = state.endpoints.map((e) => ({ podName: e.podName, address: e.address, nodeName: e.nodeName }));
  for (const p of state.pods) {
    if (p.podIP !== undefined && !pods.some((e) => e.podName === p.name || e.address === p.podIP)) {
      pods.push({ podName: p.name, address: p.podIP, nodeName: p.nodeName });
    }
  }
  return pods;
}

/** The expectation that none of the Service's pods answers. */
export function noReach(state: ServiceState): Expectation {
  return { kind: "no-reach", endpoints: servicePods(state) };
}

/** The container port a Service port reaches, as the EndpointSlice resolved it. */
export function targetPortNumber(state: ServiceState, port: ServicePortInfo): number | undefined {
  for (const e of state.endpoints) {
    const resolved = e.ports[port.name];
    if (resolved !== undefined) return resolved;
  }
  return typeof port.targetPort === "number" ? port.targetPort : undefined;
}

/** `<service>.<namespace>.svc.<cluster domain>`. */
export function dnsName(cluster: Cluster, service: ServiceInfo): string {
  return `${service.name}.${cluster.namespace}.svc.${cluster.clusterDomain}`;
}

/** The node the spread, affinity and port-chain checks send from: the first Ready one with an agent. */
export function firstVantage(ctx: PlanContext): VantagePod | undefined {
  return ctx.vantagePods.find((v) => v.agent !== undefined && v.skip === undefined) ?? ctx.vantagePods.find((v) => v.agent !== undefined) ?? ctx.vantagePods[0];
}

/** Why probes sent to a node are skipped (it is NotReady), or undefined. */
export function nodeSkip(cluster: Cluster, nodeName: string | undefined): string | undefined {
  return nodeName === undefined ? undefined : cluster.nodes.find((n) => n.name === nodeName)?.notReady;
}

/**
 * A Service without ready endpoints, as the data plane handles it: refused
 * where it REJECTs (kube-proxy iptables, nftables), else only "no pod answers".
 */
export function noEndpoints(ctx: Pick<PlanContext, "options" | "state">): { rule: RuleId; expect: Expectation } {
  return (ctx.options.dataPlane?.noEndpoints ?? "refused") === "refused"
    ? { rule: "no-endpoints-refuse", expect: { kind: "refused" } }
    : { rule: "no-endpoints-no-answer", expect: noReach(ctx.state) };
}

/** The endpoints traffic to one Service port goes to, as the data plane picks them. */
export interface UsableEndpoints {
  /** The ready endpoints; with none ready and a data plane that falls back, the serving-but-terminating ones. */
  readonly endpoints: EndpointRef[];
  /**
   * `ready`: there are ready endpoints (or no terminating ones either);
   * `terminating`: none is ready and the data plane sends to the serving-but-terminating ones;
   * `not-used`: none is ready and the data plane (kube-proxy before 1.26) ignores the terminating ones;
   * `unknown`: none is ready, and whether the data plane uses the terminating ones is not known.
   */
  readonly fallback: "ready" | "terminating" | "not-used" | "unknown";
  /** The serving-but-terminating endpoints serving this port. */
  readonly terminating: EndpointRef[];
  /** Which case applied, in words, when terminating endpoints decided it. */
  readonly because?: string;
}

/**
 * A port's endpoints as the data plane picks them: the ready ones; with none
 * ready, kube-proxy 1.26+ falls back to the serving-but-terminating ones
 * (https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-to-terminating-endpoints).
 * Without a known data plane the planner assumes the captured cluster's,
 * kube-proxy 1.24 in iptables mode: no fallback.
 */
export function usableEndpoints(ctx: Pick<PlanContext, "options" | "state">, port: ServicePortInfo, family?: Family): UsableEndpoints {
  const ready = endpointsFor(ctx.state, port, family);
  const terminating = refsFor(ctx.state.servingTerminating ?? [], port, family);
  if (ready.length > 0 || terminating.length === 0) return { endpoints: ready, fallback: "ready", terminating };
  const dataPlane = ctx.options.dataPlane;
  const fallback = dataPlane === undefined ? "no" : (dataPlane.terminatingFallback ?? "unknown");
  const pods = terminating.map((e) => e.podName ?? e.address).join(", ");
  const because = `no ready endpoint, ${terminating.length} serving-but-terminating (${pods}): ${fallbackWords(dataPlane, fallback)}`;
  if (fallback === "yes") return { endpoints: terminating, fallback: "terminating", terminating, because };
  return { endpoints: [], fallback: fallback === "no" ? "not-used" : "unknown", terminating, because };
}

/**
 * Reach the usable endpoints (under `rule`, or `terminating-fallback` when
 * they are the terminating ones); with none, what {@link noEndpoints} says;
 * and when it is unknown whether terminating endpoints are used, either they
 * answer or none of the Service's other pods does.
 */
export function reachOrRefused(
  usable: UsableEndpoints,
  rule: RuleId,
  ctx: Pick<PlanContext, "options" | "state">,
): { rule: RuleId; expect: Expectation; because?: string } {
  const because = usable.because !== undefined ? { because: usable.because } : {};
  switch (usable.fallback) {
    case "ready":
      return usable.endpoints.length > 0 ? { rule, expect: { kind: "reach", endpoints: usable.endpoints } } : noEndpoints(ctx);
    case "terminating":
      return { rule: "terminating-fallback", expect: { kind: "reach", endpoints: usable.endpoints }, ...because };
    case "not-used":
      return { ...noEndpoints(ctx), ...because };
    case "unknown":
      return { rule: "terminating-fallback", expect: noReachOrTerminating(ctx.state, usable.terminating), ...because };
  }
}

/** No pod of the Service answers, except perhaps one of `terminating`. */
export function noReachOrTerminating(state: ServiceState, terminating: readonly EndpointRef[]): Expectation {
  const leaving = new Set(terminating.map((e) => e.podName ?? e.address));
  const others = servicePods(state).filter((p) => !leaving.has(p.podName ?? p.address));
  return { kind: "no-reach", endpoints: others, mayAnswer: terminating };
}

function refsFor(endpoints: readonly EndpointInfo[], port: ServicePortInfo, family?: Family): EndpointRef[] {
  return endpoints
    .filter((e) => Object.keys(e.ports).length === 0 || e.ports[port.name] !== undefined)
    .flatMap((e) => {
      const address = family === undefined ? e.address : endpointAddressesIn(e, family)[0];
      return address === undefined ? [] : [{ podName: e.podName, address, nodeName: e.nodeName }];
    });
}
