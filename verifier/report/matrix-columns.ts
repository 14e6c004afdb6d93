/**
 * The matrix's columns: one per address kind, the node port once per node
 * under a short node name. When that is wider than the screen, nodes whose
 * node-port column reads the same on every row are drawn as one column.
 */
import type { NodeInfo } from "../model";
import { cellText } from "./cells";
import { COLUMN_TITLES, type Picture } from "./picture";

/** A drawn column: one or more picture columns that read the same. */
export interface MatrixColumn {
  readonly header: string;
  /** Picture column keys; the first one's cells are drawn. */
  readonly keys: readonly string[];
  /** For node-port columns: the full names of the nodes drawn here. */
  readonly nodes?: readonly string[];
}

/** Names longer than this are replaced by `cp`/`n<i>` in headers. */
const MAX_SHORT = 8;

/**
 * Short node names for headers: the prefix every node shares is dropped
 * (`svclab-worker2` → `worker2`); names still long become `cp` for a control
 * plane and `n<i>` otherwise, `i` counting from 1 in node order.
 */
export function nodeShortNames(nodes: readonly NodeInfo[]): Map<string, string> {
  const names = nodes.map((n) => n.name);
  let prefix = "";
  if (names.length > 1) {
    const first = names[0] as string;
    let end = 0;
    while (end < first.length && names.every((n) => n[end] === first[end])) end++;
    // Cut at a separator so `worker` and `worker2` keep their whole names.
    const cut = Math.max(first.lastIndexOf("-", end - 1), first.lastIndexOf(".", end - 1));
    prefix = cut >= 0 ? first.slice(0, cut + 1) : "";
  }
  const controlPlanes = nodes.filter((n) => n.role === "control-plane").length;
  const short = new Map<string, string>();
  let cp = 0;
  nodes.forEach((node, i) => {
    const stripped = node.name.slice(prefix.length);
    if (stripped.length > 0 && stripped.length <= MAX_SHORT) short.set(node.name, stripped);
    else if (node.role === "control-plane") short.set(node.name, controlPlanes > 1 ? `cp${++cp}` : "cp");
    else short.set(node.name, `n${i + 1}`);
  });
  return short;
}

/** Every column on its own: node ports once per node. */
function ungrouped(picture: Picture): MatrixColumn[] {
  const short = nodeShortNames(picture.nodes.map((n) => n.node));
  return picture.columns.map((col) =>
    col.node !== undefined
      ? { header: short.get(col.node) ?? col.node, keys: [col.key], nodes: [col.node] }
      : { header: COLUMN_TITLES[col.kind], keys: [col.key] },
  );
}

/**
 * The columns to draw: every node apart when that `fits`, else node-port
 * columns that read the same on every Service row merged into one, headed
 * `<first>+<n>` (the lines above the matrix list who is in it).
 */
export function groupNodeColumns(picture: Picture, fits: (columns: readonly MatrixColumn[]) => boolean): MatrixColumn[] {
  const columns = ungrouped(picture);
  if (fits(columns)) return columns;
  const signature = (key: string): string => picture.services.map((s) => cellText(s.cells.get(key))).join("\u0000");
  const grouped: (MatrixColumn & { keys: string[]; nodes?: string[] })[] = [];
  const bySignature = new Map<string, MatrixColumn & { keys: string[]; nodes: string[] }>();
  for (const col of columns) {
    if (col.nodes === undefined) {
      grouped.push({ header: col.header, keys: [...col.keys] });
      continue;
    }
    const sig = signature(col.keys[0] as string);
    const existing = bySignature.get(sig);
    if (existing !== undefined) {
      existing.keys.push(...col.keys);
      existing.nodes.push(...col.nodes);
      continue;
    }
    const group = { header: col.header, keys: [...col.keys], nodes: [...col.nodes] };
    bySignature.set(sig, group);
    grouped.push(group);
  }
  return grouped.map((col) => (col.nodes !== undefined && col.nodes.length > 1 ? { ...col, header: `${col.header}+${col.nodes.length - 1}` } : col));
}
