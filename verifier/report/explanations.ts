/**
 * Which recorded explanation (`svclab verify --explain`) a path, a matrix
 * cell or a Service's details point to, and the page anchors they share.
 * Derived from the report alone; nothing when the run recorded none.
 */
import { primaryFamily } from "../checks/families";
import type { NodeRulesRecord, ReportExplanations, RulesFamily, ServiceExplanationRecord } from "../explain/report-model";
import type { VerifyReport } from "../index";
import type { ProbeResult } from "../types";
import { columnOf } from "./picture";

/** What the report says about one Service on one node. */
export type NodeExplanation =
  | { readonly kind: "text"; readonly text: string }
  /** The rules were read but this Service could not be explained on them (e.g. kube-proxy wrote none for it there). */
  | { readonly kind: "not-explained"; readonly why: string }
  /** The node's rules were not read. */
  | { readonly kind: "not-read"; readonly why: string };

/** The page id of a Service's explanations, or of one node's. Kubernetes names hold no `/`, so the parts cannot run together. */
export function explanationAnchor(service: string, node?: string): string {
  return node === undefined ? `explain/${service}` : `explain/${service}/${node}`;
}

/** A same-page link to an anchor (each part percent-encoded; the browser decodes before matching the id). */
export function anchorHref(service: string, node?: string): string {
  return `#${explanationAnchor(encodeURIComponent(service), node === undefined ? undefined : encodeURIComponent(node))}`;
}

/** The records by Service and node, by node and family, and each Service's family: built once per report, so a page looks each up in constant time. */
interface Index {
  readonly services: Map<string, ServiceExplanationRecord>;
  readonly nodes: Map<string, NodeRulesRecord>;
  readonly families: Map<string, RulesFamily>;
  /** The report's nodes: the page has an anchor for each. */
  readonly clusterNodes: Set<string>;
}

const indexes = new WeakMap<VerifyReport, Index>();

function indexOf(report: VerifyReport, recorded: ReportExplanations): Index {
  const known = indexes.get(report);
  if (known !== undefined) return known;
  const index: Index = { services: new Map(), nodes: new Map(), families: new Map(), clusterNodes: new Set(report.cluster.nodes.map((n) => n.name)) };
  for (const s of recorded.services) if (!index.services.has(`${s.service}\0${s.node}`)) index.services.set(`${s.service}\0${s.node}`, s);
  for (const n of recorded.nodes) {
    if (!index.nodes.has(`${n.node}\0${n.family}`)) index.nodes.set(`${n.node}\0${n.family}`, n);
    if (!index.nodes.has(n.node)) index.nodes.set(n.node, n);
  }
  for (const state of report.cluster.services ?? []) index.families.set(state.service.name, primaryFamily(state.service));
  indexes.set(report, index);
  return index;
}

/** The recorded explanation of `service` on `node`; undefined when the run recorded none (no `--explain`). */
export function explanationOf(report: VerifyReport, service: string, node: string): NodeExplanation | undefined {
  const recorded = report.explanations;
  if (recorded === undefined) return undefined;
  const index = indexOf(report, recorded);
  const record = index.services.get(`${service}\0${node}`);
  if (record?.text !== undefined) return { kind: "text", text: record.text };
  if (record?.notExplained !== undefined) return { kind: "not-explained", why: record.notExplained };
  const family = index.families.get(service) ?? "IPv4";
  const rules = index.nodes.get(`${node}\0${family}`) ?? index.nodes.get(node);
  if (rules?.notRead !== undefined) return { kind: "not-read", why: rules.notRead };
  return { kind: "not-explained", why: rules === undefined ? `the run did not read the rules of node ${node}` : "the run recorded no explanation of this Service on this node" };
}

/**
 * The node whose rules a path goes through: the node of a node port (a node
 * port is translated on the node it is addressed to), else the node a pod
 * probe was sent from (its node translates ClusterIPs and LoadBalancer
 * addresses); undefined from outside or through the API server, where any
 * node may carry it.
 */
export function pathNode(result: ProbeResult): string | undefined {
  const column = columnOf(result);
  if (column.node !== undefined) return column.node;
  return result.vantage === "pod" ? result.from : undefined;
}

/** Where a path links: its node's explanation of its Service, else the Service's explanations; undefined without `--explain`. */
export function pathHref(report: VerifyReport, result: ProbeResult): string | undefined {
  return serviceHref(report, result.service, pathNode(result));
}

/** Where a Service (on a node, when one is known and in the report) links; undefined without `--explain`. */
export function serviceHref(report: VerifyReport, service: string, node?: string): string | undefined {
  if (report.explanations === undefined) return undefined;
  const known = node !== undefined && indexOf(report, report.explanations).clusterNodes.has(node);
  return anchorHref(service, known ? node : undefined);
}
