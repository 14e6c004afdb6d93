/**
 * Builds the explanation of one Service on one node from that node's rules
 * (and, when available, the objects that name pods): every entry point of
 * every port with the flow behind it. Pure: no I/O.
 */
import { distance } from "fastest-levenshtein";
import { entryFlow, type Flow } from "./flow";
import { findService, type ClusterObjects, type ServiceObject } from "./objects";
import { formatPortRef, formatServiceRef, type Entry, type EntryKind, type ProxyMode, type Ruleset, type ServicePortRef } from "./ruleset";

/** Bad input that stops the explanation: one line naming the value and what is allowed (exit 2). */
export class ExplainInputError extends Error {
  override readonly name = "ExplainInputError";
}

/** What to explain. */
export interface ExplainRequest {
  readonly ruleset: Ruleset;
  readonly namespace: string;
  readonly service: string;
  /** A port name or number (service port or node port); default every port. */
  readonly port?: string;
  /** The node the rules were read on, when known. */
  readonly node?: string;
  /** Names for addresses; undefined when neither the API nor `--objects` is available. */
  readonly objects?: ClusterObjects;
}

/** One entry point and what follows it. */
export interface ExplainedEntry {
  readonly entry: Entry;
  readonly flow: Flow;
}

/** One Service port on this node. */
export interface ExplainedPort {
  readonly ref: ServicePortRef;
  readonly entries: readonly ExplainedEntry[];
}

/** The result: the paths, or why the Service has no rules at all. */
export type Explanation =
  | {
      readonly kind: "paths";
      readonly namespace: string;
      readonly service: string;
      readonly mode: ProxyMode;
      readonly ports: readonly ExplainedPort[];
      readonly podRanges: readonly string[];
      readonly object?: ServiceObject;
      /**
       * iptables: whether KUBE-MARK-DROP holds a rule (the kubelet writes it and
       * KUBE-FIREWALL, which drops what it marks); without it a "drop" only
       * falls through. Undefined for nftables, whose drops are real verdicts.
       */
      readonly markDropWritten?: boolean;
    }
  | { readonly kind: "no-rules"; readonly namespace: string; readonly service: string; readonly why: "external-name" | "headless"; readonly object: ServiceObject };

const ENTRY_ORDER: readonly EntryKind[] = ["cluster-ip", "external-ip", "node-port", "load-balancer"];

/** At most this many names are suggested. */
const MAX_SUGGESTIONS = 8;

/** Services with rules on this node, nearest to `wanted` first. */
export function nearestServices(ruleset: Ruleset, wanted: string): string[] {
  const names = [...new Set(ruleset.entries.map((entry) => formatServiceRef(entry.service)))];
  return names.sort((a, b) => distance(wanted, a) - distance(wanted, b) || a.localeCompare(b)).slice(0, MAX_SUGGESTIONS);
}

function describePort(ref: ServicePortRef, entries: readonly Entry[]): string {
  const service = entries.find((e) => e.kind === "cluster-ip") ?? entries.find((e) => e.kind !== "node-port");
  const node = entries.find((e) => e.kind === "node-port");
  const parts = [service !== undefined ? `${service.port}/${service.protocol}` : undefined, node !== undefined ? `node port ${node.port}` : undefined].filter(
    (p): p is string => p !== undefined,
  );
  return `${ref.port === "" ? "(unnamed)" : ref.port}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

/** Does `--port` name this Service port (by name, service port or node port)? */
function portMatches(wanted: string, ref: ServicePortRef, entries: readonly Entry[], object: ServiceObject | undefined): boolean {
  if (ref.port === wanted) return true;
  if (!/^\d+$/.test(wanted)) return false;
  const n = Number(wanted);
  if (entries.some((e) => e.port === n)) return true;
  const spec = object?.spec?.ports?.find((p) => (p.name ?? "") === ref.port);
  return spec !== undefined && (spec.port === n || spec.nodePort === n);
}

/**
 * A drop/reject entry (the filter table's "has no endpoints" rules, nftables'
 * no-endpoint maps) decides for packets that the NAT path left unchanged:
 * it becomes that path's outcome instead of a separate entry.
 */
function attachVerdicts(ruleset: Ruleset, entries: readonly Entry[]): ExplainedEntry[] {
  const isVerdict = (e: Entry): boolean => ["reject", "drop", "drop-mark"].includes(e.rule.target.kind);
  const paths = entries.filter((e) => !isVerdict(e)).map((entry) => ({ entry, flow: entryFlow(ruleset, entry) }));
  const explained: ExplainedEntry[] = [];
  const used = new Set<Entry>();
  for (const path of paths) {
    if (path.flow.outcome.kind !== "none") {
      explained.push(path);
      continue;
    }
    const verdict = entries.find((e) => isVerdict(e) && e.kind === path.entry.kind && e.port === path.entry.port && e.address === path.entry.address);
    if (verdict === undefined) {
      explained.push(path);
      continue;
    }
    used.add(verdict);
    explained.push({ entry: path.entry, flow: { steps: path.flow.steps, outcome: entryFlow(ruleset, verdict).outcome } });
  }
  for (const entry of entries) if (isVerdict(entry) && !used.has(entry)) explained.push({ entry, flow: entryFlow(ruleset, entry) });
  return explained.sort(
    (a, b) => ENTRY_ORDER.indexOf(a.entry.kind) - ENTRY_ORDER.indexOf(b.entry.kind) || (a.entry.address ?? "").localeCompare(b.entry.address ?? ""),
  );
}

/**
 * nftables rules do not say whether an external address is a LoadBalancer
 * ingress or an `externalIPs` entry; the Service's status does.
 */
function withLoadBalancerKind(entries: readonly Entry[], object: ServiceObject | undefined): Entry[] {
  const ingress = new Set((object?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => ip !== undefined));
  return entries.map((e) => (e.kind === "external-ip" && e.address !== undefined && ingress.has(e.address) ? { ...e, kind: "load-balancer" } : e));
}

/**
 * Explains one Service on one node.
 * @throws ExplainInputError when the Service has no rules there (naming those that do, nearest first) or has no such port
 */
export function explain(request: ExplainRequest): Explanation {
  const { ruleset, namespace, service } = request;
  const object = request.objects === undefined ? undefined : findService(request.objects, namespace, service);
  const mine = ruleset.entries.filter((e) => e.service.namespace === namespace && e.service.name === service);
  if (mine.length === 0) {
    if (object?.spec?.type === "ExternalName") return { kind: "no-rules", namespace, service, why: "external-name", object };
    if (object?.spec?.clusterIP === "None") return { kind: "no-rules", namespace, service, why: "headless", object };
    const wanted = `${namespace}/${service}`;
    const where = request.node !== undefined ? `node ${request.node}` : "this node";
    const known = object !== undefined ? `the Service exists but kube-proxy wrote no rules for it on ${where}` : `no rules for it on ${where}`;
    const hint = request.objects === undefined ? " (ExternalName and headless Services have none: pass --objects or reach the API to tell)" : "";
    const nearest = nearestServices(ruleset, wanted);
    throw new ExplainInputError(
      `service ${JSON.stringify(wanted)}: ${known}${hint}; Services with rules there: ${nearest.length > 0 ? nearest.join(", ") : "none"}`,
    );
  }
  const byPort = new Map<string, { ref: ServicePortRef; entries: Entry[] }>();
  for (const entry of withLoadBalancerKind(mine, object)) {
    const key = formatPortRef(entry.service);
    const group = byPort.get(key) ?? { ref: entry.service, entries: [] };
    group.entries.push(entry);
    byPort.set(key, group);
  }
  let groups = [...byPort.values()].sort((a, b) => a.ref.port.localeCompare(b.ref.port));
  if (request.port !== undefined) {
    const wanted = request.port;
    groups = groups.filter((g) => portMatches(wanted, g.ref, g.entries, object));
    if (groups.length === 0) {
      const allowed = [...byPort.values()].map((g) => describePort(g.ref, g.entries)).join(", ");
      throw new ExplainInputError(`port ${JSON.stringify(wanted)}: ${namespace}/${service} has no such port; allowed: ${allowed}`);
    }
  }
  return {
    kind: "paths",
    namespace,
    service,
    mode: ruleset.mode,
    ports: groups.map((g) => ({ ref: g.ref, entries: attachVerdicts(ruleset, g.entries) })),
    podRanges: ruleset.podRanges,
    ...(object !== undefined ? { object } : {}),
    ...(ruleset.mode === "iptables" ? { markDropWritten: (ruleset.chain("nat", "KUBE-MARK-DROP") ?? []).length > 0 } : {}),
  };
}
