/**
 * The default terminal view: one row per Service, one column per kind of
 * address (pod IP, ClusterIP, DNS name, the node port on each node, the
 * LoadBalancer address, the API proxy). A cell reads `outside/from pods`
 * with the verdict glyphs. Below it: every failure and error (grouped when
 * they share rule and reason), the checks that are not paths one line each,
 * the notes and the summary. `--details` prints the per-target table instead.
 */
import { createColors } from "picocolors";
import type { VerifyReport } from "../index";
import type { ProbeResult } from "../types";
import { summaryLine } from "./table";
import { checkLines } from "./matrix-checks";
import { groupNodeColumns, type MatrixColumn, nodeShortNames } from "./matrix-columns";
import { cellText } from "./cells";
import { pushTo } from "./group";
import { type Picture, pictureOf } from "./picture";
import { GLYPHS, type Verdict, VERDICTS } from "./verdict";

/** Matrix options. */
export interface MatrixOptions {
  /** Colour the glyphs (pass `process.stdout.isTTY`). Default false. */
  readonly color?: boolean;
  /** The width to fit; wider clusters get their agreeing nodes grouped. Default 120. */
  readonly width?: number;
}

type Colors = ReturnType<typeof createColors>;

const GAP = "  ";

function colourGlyphs(text: string, c: Colors): string {
  return text
    .replace(/skip/g, c.gray("skip"))
    .replace(/✓/g, c.green("✓"))
    .replace(/–/g, c.cyan("–"))
    .replace(/✗/g, c.red("✗"))
    .replace(/!/g, c.yellow("!"));
}

/** Merges the cells of a column group (nodes that agree have the same cell text). */
function groupCell(picture: Picture, serviceIndex: number, column: MatrixColumn): string {
  const service = picture.services[serviceIndex];
  const first = column.keys[0];
  return first === undefined || service === undefined ? "" : cellText(service.cells.get(first));
}

/** The matrix lines (header, rule, one per Service) and the columns drawn. */
function matrixLines(picture: Picture, width: number, c: Colors): { lines: string[]; columns: MatrixColumn[] } {
  const cellsOf = (columns: readonly MatrixColumn[]): string[][] =>
    picture.services.map((_, i) => columns.map((col) => groupCell(picture, i, col)));
  const lead = [
    ["Service", ...picture.services.map((s) => s.name)],
    ["type", ...picture.services.map((s) => s.type)],
    ["ports", ...picture.services.map((s) => s.ports)],
  ];
  const leadWidths = lead.map((col) => Math.max(...col.map((t) => t.length)));
  const measure = (columns: readonly MatrixColumn[]): number => {
    const cells = cellsOf(columns);
    return columns.reduce((sum, col, j) => sum + GAP.length + Math.max(col.header.length, ...cells.map((row) => (row[j] ?? "").length)), 0);
  };
  const leadWidth = leadWidths.reduce((a, b) => a + b, 0) + GAP.length * (leadWidths.length - 1);
  const columns = groupNodeColumns(picture, (cols) => leadWidth + measure(cols) <= width);
  const cells = cellsOf(columns);
  const widths = columns.map((col, j) => Math.max(col.header.length, ...cells.map((row) => (row[j] ?? "").length)));
  const pad = (text: string, w: number): string => text + " ".repeat(Math.max(0, w - text.length));
  const header = [...lead.map((col, k) => pad(col[0] as string, leadWidths[k] as number)), ...columns.map((col, j) => pad(col.header, widths[j] as number))];
  const lines = [c.bold(header.join(GAP).trimEnd())];
  lines.push("─".repeat(Math.min(width, header.join(GAP).trimEnd().length)));
  picture.services.forEach((_, i) => {
    const left = lead.map((col, k) => pad(col[i + 1] as string, leadWidths[k] as number));
    const right = columns.map((_col, j) => colourGlyphs(pad(cells[i]?.[j] ?? "", widths[j] as number), c));
    lines.push([...left, ...right].join(GAP).trimEnd());
  });
  return { lines, columns };
}

function nodesLines(picture: Picture, columns: readonly MatrixColumn[], width: number): string[] {
  const short = nodeShortNames(picture.nodes.map((n) => n.node));
  const parts = picture.nodes.map((n) => {
    const name = short.get(n.node.name) ?? n.node.name;
    const alias = name === n.node.name ? "" : `${name} = `;
    return `${alias}${n.node.name} (${n.node.role === "control-plane" ? "control plane, " : ""}${n.node.internalIP ?? "no InternalIP"})`;
  });
  // Wrapped at the width: a wide cluster's node list must not push the matrix off screen.
  const lines: string[] = [];
  let line = "nodes:";
  for (const part of parts) {
    if (line !== "nodes:" && `${line} · ${part}`.length > width) {
      lines.push(line);
      line = `      ${part}`;
    } else line = line === "nodes:" ? `nodes: ${part}` : `${line} · ${part}`;
  }
  lines.push(line);
  for (const col of columns) {
    if (col.nodes !== undefined && col.nodes.length > 1) lines.push(`node ports: ${col.header} = ${col.nodes.join(", ")} (same verdicts on every row)`);
  }
  return lines;
}

function problemLines(picture: Picture, c: Colors): string[] {
  if (picture.problems.length === 0) return [];
  const lines = ["", c.bold("Failed or could not run:")];
  for (const group of picture.problems) {
    const first = group.results[0] as ProbeResult;
    const more = group.results.length > 1 ? ` and ${group.results.length - 1} more like it` : "";
    const glyph = group.status === "fail" ? c.red(GLYPHS.failed) : c.yellow(GLYPHS.error);
    lines.push(`${glyph} ${first.id}${more}  [${first.rule.id}]`, `    rule: ${first.rule.sentence}`, `    expected ${first.expect}; ${first.reason}`);
  }
  return lines;
}

function skippedLines(picture: Picture, c: Colors): string[] {
  if (picture.skipped.length === 0) return [];
  const byReason = new Map<string, ProbeResult[]>();
  for (const r of picture.skipped) pushTo(byReason, r.reason, r);
  const lines = ["", c.bold("Skipped (never counted as passed):")];
  for (const [reason, results] of byReason) {
    const first = results[0] as ProbeResult;
    lines.push(`${c.gray("skip")} ${first.id}${results.length > 1 ? ` and ${results.length - 1} more` : ""}: ${reason}`);
  }
  return lines;
}

/** `text` broken at spaces into lines of at most `width`, continuation lines indented. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length > width && line.trim() !== "") {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = candidate;
  }
  lines.push(line);
  return lines;
}

/** Legend words short enough for one 120-column line. */
const SHORT_MEANINGS: Readonly<Record<Verdict, string>> = {
  reached: "reached a pod",
  unreachable: "not reachable, as the rule says",
  failed: "failed",
  error: "could not run",
  skipped: "skipped",
};

/** The legend, one line. */
export function legendLine(c: Colors): string {
  const glyph = (v: Verdict): string => colourGlyphs(GLYPHS[v], c);
  return `cells: outside/from pods · ${VERDICTS.map((v) => `${glyph(v)} ${SHORT_MEANINGS[v]}`).join("  ")}`;
}

/** The report as the Service × address matrix, newline-terminated. */
export function renderMatrix(report: VerifyReport, options: MatrixOptions = {}): string {
  const c = createColors(options.color ?? false);
  const width = options.width ?? 120;
  const picture = pictureOf(report);
  const cluster = report.cluster;
  const matrix = matrixLines(picture, width, c);
  const lines = [
    c.bold(`svclab verify · ${cluster.namespace} · context ${cluster.context} · ${cluster.server}`),
    ...nodesLines(picture, matrix.columns, width),
    ...matrix.lines,
    legendLine(c),
    "",
    ...checkLines(picture, width, c),
    ...problemLines(picture, c),
    ...skippedLines(picture, c),
  ];
  if (report.notes.length > 0) lines.push("", ...report.notes.flatMap((n) => wrap(`note: ${n}`, width, "      ")));
  const summary = summaryLine(report.summary);
  const coloured = report.summary.fail > 0 ? c.red(summary) : report.summary.error > 0 ? c.yellow(summary) : c.green(summary);
  lines.push("", `${coloured} (${report.summary.total} probes in ${(report.durationMs / 1000).toFixed(1)} s)`);
  return `${lines.join("\n")}\n`;
}
