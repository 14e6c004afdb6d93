/**
 * The picture every at-a-glance view draws, derived from a report and nothing
 * else: Services as rows with their probed paths sorted into address-kind
 * columns (pod IP, ClusterIP, DNS, node port per node, LoadBalancer, API
 * proxy), the checks that are not paths, the nodes with their pods, and the
 * problems. Verdicts are read from the report, never re-judged.
 */
import type { NodeInfo, PodInfo, ProbeAgentInfo, ServiceState } from "../model";
import type { VerifyReport } from "../index";
import type { ProbeResult } from "../types";
import { type Verdict, verdictOf, worstVerdict } from "./verdict";

/** The kinds of address a path is sent to, in column order. */
export const COLUMN_KINDS = ["pod-ip", "cluster-ip", "dns", "node-port", "lb", "api-proxy"] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/** Column titles. */
export const COLUMN_TITLES: Readonly<Record<ColumnKind, string>> = {
  "pod-ip": "pod IP",
  "cluster-ip": "ClusterIP",
  dns: "DNS",
  "node-port": "node port",
  lb: "LB",
  "api-proxy": "API proxy",
};

/** A matrix column: one address kind, or for node ports one node. */
export interface Column {
  readonly key: string;
  readonly kind: ColumnKind;
  /** The node of a node-port column. */
  readonly node?: string;
}

/** The probes of one Service into one column, by vantage. */
export interface Cell {
  readonly outside: ProbeResult[];
  readonly pods: ProbeResult[];
  readonly proxy: ProbeResult[];
}

/** A pod that answered a Service's paths, with how many answers it gave and the worst verdict among them. */
export interface Answerer {
  readonly pod: string;
  readonly node: string | undefined;
  readonly answers: number;
  readonly verdict: Verdict;
}

/** How many of a spread or affinity check's requests each pod answered. */
export interface Shares {
  readonly probe: ProbeResult;
  readonly byPod: readonly { readonly pod: string; readonly node: string | undefined; readonly count: number }[];
  readonly total: number;
}

/** One Service as the views show it. */
export interface ServiceView {
  readonly name: string;
  /** `ClusterIP`, `headless`, `NodePort`, `LoadBalancer`, `ExternalName`, or `?` when the report has no Service objects. */
  readonly type: string;
  /** Ports as `80→3000` plus `:30080` when a node port is allocated; empty when unknown. */
  readonly ports: string;
  /** nodePort → port → targetPort, one entry per Service port. */
  readonly portChains: readonly string[];
  readonly clusterIP: string | undefined;
  readonly state: ServiceState | undefined;
  readonly cells: ReadonlyMap<string, Cell>;
  /** Probes sending traffic, in report order. */
  readonly paths: readonly ProbeResult[];
  /** Probes that are not paths (facts, spread, affinity, port chain, client address). */
  readonly checks: readonly ProbeResult[];
  readonly answerers: readonly Answerer[];
  readonly shares: readonly Shares[];
}

/** A pod drawn inside its node. */
export interface PodView {
  readonly name: string;
  readonly podIP: string | undefined;
  readonly ready: boolean;
  /** `frontend`, `backend`, `probe`…: the component its Services select, or `pod`. */
  readonly role: string;
}

/** A node with what runs on it. */
export interface NodeView {
  readonly node: NodeInfo;
  readonly pods: readonly PodView[];
  readonly agent: ProbeAgentInfo | undefined;
}

/** Failures or errors that share status, rule and reason, shown once. */
export interface ProblemGroup {
  readonly status: "fail" | "error";
  readonly results: readonly ProbeResult[];
}

/** Everything the matrix and the page draw. */
export interface Picture {
  readonly report: VerifyReport;
  readonly nodes: readonly NodeView[];
  readonly services: readonly ServiceView[];
  /** Columns that some Service has a path in, in column order; node ports in node order. */
  readonly columns: readonly Column[];
  /** Checks about nodes rather than Services (a probe agent per node). */
  readonly nodeChecks: readonly ProbeResult[];
  readonly problems: readonly ProblemGroup[];
  readonly skipped: readonly ProbeResult[];
}

/** Rules that are checks of one Service rather than a path to one address. */
const CHECK_RULES: ReadonlySet<string> = new Set(["port-chain", "spread", "session-affinity", "etp-local-preserves-client"]);
/** Rules about the cluster's nodes, not a Service. */
const NODE_RULES: ReadonlySet<string> = new Set(["probe-agent-per-node"]);

/** Whether a probe is a path (traffic to one address) rather than a check. */
export function isPath(result: ProbeResult): boolean {
  return result.vantage !== "api" && !CHECK_RULES.has(result.rule.id) && !NODE_RULES.has(result.rule.id);
}

/** The column a path belongs to, from its target (`pod:…`, `cluster-ip:…`, `dns:…`, `node-port:<node>:…`, `lb:…`, `proxy:…`). */
export function columnOf(result: ProbeResult): Column {
  if (result.vantage === "api-proxy") return { key: "api-proxy", kind: "api-proxy" };
  const target = result.target;
  const prefix = target.slice(0, target.indexOf(":") + 1);
  switch (prefix) {
    case "pod:":
      return { key: "pod-ip", kind: "pod-ip" };
    case "dns:":
      return { key: "dns", kind: "dns" };
    // `node-port:<node>:<port name>` since probe ids became stable; `node:<node>:<nodePort>` in older reports.
    case "node-port:":
    case "node:": {
      const node = target.slice(prefix.length).split(":")[0] ?? "";
      return { key: `node-port:${node}`, kind: "node-port", node };
    }
    case "lb:":
      return { key: "lb", kind: "lb" };
    case "proxy:":
      return { key: "api-proxy", kind: "api-proxy" };
    default:
      return { key: "cluster-ip", kind: "cluster-ip" };
  }
}

/** `80→3000` per port, then `:nodePort` when one is allocated. */
function portsText(state: ServiceState | undefined): { ports: string; chains: string[] } {
  if (state === undefined) return { ports: "", chains: [] };
  const ports = state.service.ports.map((p) => `${p.port}→${p.targetPort}${p.nodePort !== undefined ? ` :${p.nodePort}` : ""}`);
  const chains = state.service.ports.map((p) => {
    const resolved = state.endpoints.map((e) => e.ports[p.name]).find((n) => n !== undefined);
    const target = resolved !== undefined && String(resolved) !== String(p.targetPort) ? `${p.targetPort} (${resolved})` : String(p.targetPort);
    return `${p.nodePort !== undefined ? `nodePort ${p.nodePort} → ` : ""}port ${p.port} → targetPort ${target}`;
  });
  return { ports: ports.join(", "), chains };
}

function typeOf(state: ServiceState | undefined): string {
  if (state === undefined) return "?";
  return state.service.headless ? "headless" : state.service.type;
}

/** Answers per pod over the attempts of some probes. */
function answersByPod(results: readonly ProbeResult[]): Map<string, { node: string | undefined; count: number; verdicts: Verdict[] }> {
  const byPod = new Map<string, { node: string | undefined; count: number; verdicts: Verdict[] }>();
  for (const result of results) {
    if (result.observation.kind !== "http") continue;
    for (const attempt of result.observation.attempts) {
      const pod = attempt.identity?.pod;
      if (pod === undefined) continue;
      const entry = byPod.get(pod) ?? { node: attempt.identity?.node, count: 0, verdicts: [] };
      entry.count++;
      entry.verdicts.push(verdictOf(result));
      byPod.set(pod, entry);
    }
  }
  return byPod;
}

function sharesOf(result: ProbeResult): Shares {
  const byPod = [...answersByPod([result]).entries()].map(([pod, e]) => ({ pod, node: e.node, count: e.count }));
  byPod.sort((a, b) => b.count - a.count || a.pod.localeCompare(b.pod));
  const total = result.observation.kind === "http" ? result.observation.attempts.length : 0;
  return { probe: result, byPod, total };
}

function serviceView(name: string, state: ServiceState | undefined, results: readonly ProbeResult[]): ServiceView {
  const cells = new Map<string, Cell>();
  const paths = results.filter(isPath);
  for (const result of paths) {
    const column = columnOf(result);
    const cell = cells.get(column.key) ?? { outside: [], pods: [], proxy: [] };
    (result.vantage === "outside" ? cell.outside : result.vantage === "pod" ? cell.pods : cell.proxy).push(result);
    cells.set(column.key, cell);
  }
  const answerers = [...answersByPod(paths).entries()].map(([pod, e]) => ({ pod, node: e.node, answers: e.count, verdict: worstVerdict(e.verdicts) }));
  answerers.sort((a, b) => a.pod.localeCompare(b.pod));
  const { ports, chains } = portsText(state);
  return {
    name,
    type: typeOf(state),
    ports,
    portChains: chains,
    clusterIP: state?.service.clusterIP,
    state,
    cells,
    paths,
    checks: results.filter((r) => !isPath(r)),
    answerers,
    shares: results.filter((r) => r.rule.id === "spread" || r.rule.id === "session-affinity").map(sharesOf),
  };
}

/** The component a Service selects (`app.kubernetes.io/component`), else its first selector value. */
function roleOf(state: ServiceState): string {
  const selector = state.service.selector ?? {};
  return selector["app.kubernetes.io/component"] ?? Object.values(selector)[0] ?? "pod";
}

function nodeViews(report: VerifyReport, services: readonly ServiceView[]): NodeView[] {
  const pods = new Map<string, PodView & { nodeName: string | undefined }>();
  for (const state of report.cluster.services ?? []) {
    for (const pod of state.pods as readonly PodInfo[]) {
      if (!pods.has(pod.name)) pods.set(pod.name, { name: pod.name, podIP: pod.podIP, ready: pod.ready && !pod.terminating, role: roleOf(state), nodeName: pod.nodeName });
    }
  }
  // A report saved before Service objects were recorded still names the pods that answered.
  for (const service of services) {
    for (const a of service.answerers) {
      if (!pods.has(a.pod)) pods.set(a.pod, { name: a.pod, podIP: undefined, ready: true, role: "pod", nodeName: a.node });
    }
  }
  const agents = report.cluster.agents ?? [];
  const names = report.cluster.nodes.map((n) => n.name);
  const nodes: NodeInfo[] = [...report.cluster.nodes];
  for (const pod of pods.values()) {
    if (pod.nodeName !== undefined && !names.includes(pod.nodeName)) {
      names.push(pod.nodeName);
      nodes.push({ name: pod.nodeName, role: "worker", internalIP: undefined, ready: true });
    }
  }
  return nodes.map((node) => ({
    node,
    pods: [...pods.values()]
      .filter((p) => p.nodeName === node.name)
      .map(({ nodeName: _n, ...pod }) => pod)
      .sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name)),
    agent: agents.find((a) => a.nodeName === node.name),
  }));
}

function columnsOf(services: readonly ServiceView[], nodes: readonly NodeView[]): Column[] {
  const used = new Map<string, Column>();
  for (const service of services) for (const result of service.paths) {
    const column = columnOf(result);
    used.set(column.key, column);
  }
  const nodeOrder = nodes.map((n) => n.node.name);
  const rank = (c: Column): number => COLUMN_KINDS.indexOf(c.kind) * 10000 + (c.node !== undefined ? Math.max(0, nodeOrder.indexOf(c.node)) : 0);
  return [...used.values()].sort((a, b) => rank(a) - rank(b));
}

function problemGroups(results: readonly ProbeResult[]): ProblemGroup[] {
  const groups = new Map<string, { status: "fail" | "error"; results: ProbeResult[] }>();
  for (const r of results) {
    if (r.status !== "fail" && r.status !== "error") continue;
    const key = `${r.status}\u0000${r.rule.id}\u0000${r.reason}`;
    const group = groups.get(key) ?? { status: r.status, results: [] };
    group.results.push(r);
    groups.set(key, group);
  }
  // Failures first: they are what the run is about; errors say what it could not prove.
  return [...groups.values()].sort((a, b) => (a.status === b.status ? 0 : a.status === "fail" ? -1 : 1));
}

/** Derives the picture from a report (a fresh run or one loaded from JSON). */
export function pictureOf(report: VerifyReport): Picture {
  const states = new Map((report.cluster.services ?? []).map((s) => [s.service.name, s] as const));
  const byService = new Map<string, ProbeResult[]>();
  for (const state of states.values()) byService.set(state.service.name, []);
  const nodeChecks: ProbeResult[] = [];
  for (const result of report.probes) {
    if (NODE_RULES.has(result.rule.id)) {
      nodeChecks.push(result);
      continue;
    }
    const list = byService.get(result.service) ?? [];
    list.push(result);
    byService.set(result.service, list);
  }
  // A Service the probe filters left out has no row: the matrix shows what was proven.
  const services = [...byService.entries()].filter(([, results]) => results.length > 0).map(([name, results]) => serviceView(name, states.get(name), results));
  const nodes = nodeViews(report, services);
  return {
    report,
    nodes,
    services,
    columns: columnsOf(services, nodes),
    nodeChecks,
    problems: problemGroups(report.probes),
    skipped: report.probes.filter((r) => r.status === "skipped"),
  };
}
