/**
 * The API-proxy budget. Every services-proxy probe is a request the API server
 * itself must serve (issue #13: API requests ≤ 10 per node per run plus the
 * lists), one per Service port, so 200 Services cost the control plane 200
 * proxied GETs per run while the rest of the run costs it one agent batch per
 * node. A run therefore probes at most `apiProxyMax` Services that way
 * (default {@link API_PROXY_PER_NODE} per node): every distinct Service shape
 * first, so what the proxy rules depend on is still proven for each kind of
 * Service, then the rest in discovery order. The others are reported skipped,
 * never dropped, with the Service of their shape that was probed. Pure; no I/O.
 */
import type { ServiceInfo } from "./model";
import type { Probe } from "./types";

/**
 * Services probed through the API server's proxy per node by default: the
 * lab's 8 Services are all probed even on one node, and each node accounts
 * for ≤ 8 proxy GETs (one per single-port Service) + 1 agent batch.
 */
export const API_PROXY_PER_NODE = 8;

/** The most Services probed through the API server's proxy in one run, or `"all"` for no bound. */
export type ApiProxyMax = number | "all";

/** The default bound for a cluster of `nodes` nodes (at least one node's worth). */
export function defaultApiProxyMax(nodes: number): number {
  return API_PROXY_PER_NODE * Math.max(1, nodes);
}

/**
 * Everything about a Service the proxy's answer depends on: all of its spec but
 * the name and what the cluster allocated (clusterIP(s), nodePorts, the
 * load-balancer ingress). Services with equal shapes get the same proxy rules.
 */
export function serviceShape(service: ServiceInfo): string {
  const selector = service.selector === undefined ? null : Object.entries(service.selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    service.type,
    service.headless,
    service.externalName ?? null,
    service.ports.map((p) => [p.name, p.port, p.targetPort, p.protocol]),
    selector,
    service.sessionAffinity,
    service.externalTrafficPolicy,
    service.internalTrafficPolicy,
    service.publishNotReadyAddresses ?? false,
    service.ipFamilies ?? null,
  ]);
}

/** Which Services a run probes through the API server's proxy. */
export interface ApiProxySelection {
  /** The Services probed, in discovery order. */
  readonly probed: readonly string[];
  /** Each Service left out → the first probed Service of its shape, or `undefined` when the bound left its shape out too. */
  readonly leftOut: ReadonlyMap<string, string | undefined>;
  /** Distinct shapes among the Services, and how many of them a probed Service covers. */
  readonly shapes: number;
  readonly shapesCovered: number;
}

/**
 * Picks at most `max` of `services` (in discovery order): the first Service
 * of each shape, in order, then the rest in order, until the bound.
 * Deterministic: the same Services and bound always pick the same ones.
 */
export function selectApiProxied(services: readonly ServiceInfo[], max: ApiProxyMax): ApiProxySelection {
  const shapes = services.map(serviceShape);
  const limit = max === "all" ? services.length : max;
  const chosen = new Set<number>();
  const seen = new Set<string>();
  shapes.forEach((shape, i) => {
    if (seen.has(shape)) return;
    seen.add(shape);
    if (chosen.size < limit) chosen.add(i);
  });
  for (let i = 0; i < services.length && chosen.size < limit; i++) chosen.add(i);

  const firstProbed = new Map<string, string>();
  const probed: string[] = [];
  services.forEach((s, i) => {
    if (!chosen.has(i)) return;
    probed.push(s.name);
    if (!firstProbed.has(shapes[i] as string)) firstProbed.set(shapes[i] as string, s.name);
  });
  const leftOut = new Map<string, string | undefined>();
  services.forEach((s, i) => {
    if (!chosen.has(i)) leftOut.set(s.name, firstProbed.get(shapes[i] as string));
  });
  return { probed, leftOut, shapes: seen.size, shapesCovered: firstProbed.size };
}

/** Probes through the API server's proxy: `service-via-api-proxy`, its no-endpoints variant, `externalname-no-proxy`. */
function viaApiProxy(probe: Probe): boolean {
  return probe.target.kind === "api-proxy" && probe.skip === undefined;
}

/**
 * Applies the bound to a run's probes: the API-proxy probes of the Services
 * left out are marked skipped, with why and how to change it; every other
 * probe, and every probed Service's, is returned as it was. `services` in
 * discovery order; only those with an API-proxy probe among `probes` count.
 * @returns the probes (same order, same ids) and the report note, when any Service was left out
 */
export function applyApiProxyBudget(
  probes: readonly Probe[],
  services: readonly ServiceInfo[],
  max: ApiProxyMax,
): { probes: Probe[]; note: string | undefined } {
  const proxied = new Set(probes.filter(viaApiProxy).map((p) => p.service));
  const inScope = services.filter((s) => proxied.has(s.name));
  const selection = selectApiProxied(inScope, max);
  if (selection.leftOut.size === 0) return { probes: [...probes], note: undefined };

  const bound = `--api-proxy-max ${max}, default ${API_PROXY_PER_NODE} per node, to bound the API server's load; raise it, or give all to probe every one`;
  const perRun = `${selection.probed.length} of ${inScope.length} Services are per run (${bound})`;
  const because = (service: string): string => {
    const same = selection.leftOut.get(service);
    const shape =
      same !== undefined
        ? `a Service of the same shape, ${same}, was`
        : `no Service of the same shape was: the ${selection.shapes} shapes need --api-proxy-max ${selection.shapes} or more`;
    return `not probed through the API server's proxy: ${perRun}; ${shape}`;
  };
  const budgeted = probes.map((p) => (viaApiProxy(p) && selection.leftOut.has(p.service) ? { ...p, skip: because(p.service) } : p));
  const covered =
    selection.shapesCovered === selection.shapes ? `every one of the ${selection.shapes} Service shapes` : `${selection.shapesCovered} of the ${selection.shapes} Service shapes`;
  const note = `API server proxy: ${selection.probed.length} of ${inScope.length} Services probed through it, covering ${covered}; the other ${selection.leftOut.size} are reported skipped (${bound})`;
  return { probes: budgeted, note };
}
