/**
 * Which recorded explanation (`svclab verify --explain`) a path, a matrix
 * cell or a Service's details point to, and the page anchors they share.
 * Derived from the report alone; nothing when the run recorded none.
 */
import { primaryFamily } from "../checks/families";
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

/**
 * Lists looked up by key, indexed once per list (one cache per kind of key):
 * a page asks for every Service on every node, and searching the list each
 * time made that quadratic in Services × nodes. The first entry of a key
 * wins, as `find` did.
 */
const recordIndexes = new WeakMap<readonly object[], Map<string, object>>();
const serviceIndexes = new WeakMap<readonly object[], Map<string, object>>();

function indexed<T extends object>(cache: WeakMap<readonly object[], Map<string, object>>, list: readonly T[], keyOf: (item: T) => string): Map<string, T> {
  let index = cache.get(list) as Map<string, T> | undefined;
  if (index === undefined) {
    index = new Map();
    for (const item of list) if (!index.has(keyOf(item))) index.set(keyOf(item), item);
    cache.set(list, index);
  }
  return index;
}

/** The recorded explanation of `service` on `node`; undefined when the run recorded none (no `--explain`). */
export function explanationOf(report: VerifyReport, service: string, node: string): NodeExplanation | undefined {
  const recorded = report.explanations;
  if (recorded === undefined) return undefined;
  const record = indexed(recordIndexes, recorded.services, (s) => `${s.service}\u0000${s.node}`).get(`${service}\u0000${node}`);
  if (record?.text !== undefined) return { kind: "text", text: record.text };
  if (record?.notExplained !== undefined) return { kind: "not-explained", why: record.notExplained };
  const state = indexed(serviceIndexes, report.cluster.services ?? [], (s) => s.service.name).get(service);
  const family = state !== undefined ? primaryFamily(state.service) : "IPv4";
  const rules = recorded.nodes.find((n) => n.node === node && n.family === family) ?? recorded.nodes.find((n) => n.node === node);
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
  const known = node !== undefined && report.cluster.nodes.some((n) => n.name === node);
  return anchorHref(service, known ? node : undefined);
}
