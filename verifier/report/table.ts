/**
 * The terminal matrix a learner reads at a glance: rows are Service × target,
 * columns the vantages. ✓ reached a pod of the Service, – confirmed
 * unreachable as the rule says (shown apart from a reach), ✗ failed, ! could
 * not run, `skip` skipped. Then every failure, error and skip with its rule
 * sentence and reason, the notes, and the summary line.
 */
import Table from "cli-table3";
import { createColors } from "picocolors";
import type { VerifyReport, VerifySummary } from "../index";
import type { ProbeResult, Vantage } from "../types";

/** Rendering options. */
export interface TableOptions {
  /** Colour the symbols (pass `process.stdout.isTTY`). Default false. */
  readonly color?: boolean;
}

const COLUMNS: readonly Vantage[] = ["outside", "pod", "api-proxy", "api"];

type Colors = ReturnType<typeof createColors>;

function symbol(result: ProbeResult, c: Colors): string {
  switch (result.status) {
    case "pass":
      return result.expectNo ? c.cyan("–") : c.green("✓");
    case "fail":
      return c.red("✗");
    case "error":
      return c.yellow("!");
    case "skipped":
      return c.gray("skip");
  }
}

/** One cell: a single symbol, `✓ ×3` when every node agrees, else one symbol per node in node order. */
function cell(results: readonly ProbeResult[], c: Colors): string {
  if (results.length === 0) return "";
  const first = results[0] as ProbeResult;
  const same = results.every((r) => r.status === first.status && r.expectNo === first.expectNo);
  if (results.length === 1) return symbol(first, c);
  if (same) return `${symbol(first, c)} ×${results.length}`;
  return results.map((r) => `${symbol(r, c)}${r.from !== undefined ? ` ${r.from}` : ""}`).join("\n");
}

/**
 * Rows per cli-table3 table. Its layout checks every cell against every
 * earlier row (for row and column spans we never use), so one table of all
 * rows costs rows²: 7,930 probes took seconds. Long tables are drawn in
 * slices of this many rows with the same column widths and stitched.
 */
export const ROWS_PER_TABLE = 64;

/** Characters a terminal shows for `text`: colour codes take none; our glyphs and names take one each. */
function shownWidth(text: string): number {
  let widest = 0;
  for (const line of text.replace(/\u001b\[[0-9;]*m/g, "").split("\n")) widest = Math.max(widest, [...line].length);
  return widest;
}

/** The head and rows as one bordered table, without a rule between body rows (the table stays short). */
function drawTable(head: readonly string[], body: readonly (readonly string[])[]): string {
  // cli-table3's own widths: the widest cell plus one space of padding each side.
  const colWidths = head.map((h, j) => {
    let widest = shownWidth(h);
    for (const row of body) widest = Math.max(widest, shownWidth(row[j] ?? ""));
    return widest + 2;
  });
  const slices: string[] = [];
  for (let start = 0; start === 0 || start < body.length; start += ROWS_PER_TABLE) {
    const table = new Table({
      head: start === 0 ? [...head] : [],
      colWidths,
      style: { head: [], border: [] },
      chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    });
    table.push(...body.slice(start, start + ROWS_PER_TABLE).map((row) => [...row]));
    const lines = table.toString().split("\n");
    // Stitched: a slice after the first loses its top border, one before the last its bottom border.
    const from = start === 0 ? 0 : 1;
    const to = start + ROWS_PER_TABLE < body.length ? lines.length - 1 : lines.length;
    slices.push(lines.slice(from, to).join("\n"));
  }
  return slices.join("\n");
}

/** The summary line: `N passed, N failed, N errors, N skipped`. */
export function summaryLine(summary: VerifySummary): string {
  return `${summary.pass} passed, ${summary.fail} failed, ${summary.error} errors, ${summary.skipped} skipped`;
}

/** The report as the terminal matrix plus details, newline-terminated. */
export function renderTable(report: VerifyReport, options: TableOptions = {}): string {
  const c = createColors(options.color ?? false);
  const rows = new Map<string, { service: string; target: string; byVantage: Map<Vantage, ProbeResult[]> }>();
  for (const result of report.probes) {
    const key = `${result.service}\u0000${result.target}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { service: result.service, target: result.target, byVantage: new Map() };
      rows.set(key, row);
    }
    const list = row.byVantage.get(result.vantage) ?? [];
    list.push(result);
    row.byVantage.set(result.vantage, list);
  }
  const present = new Set(report.probes.map((p) => p.vantage));
  const used = COLUMNS.filter((v) => present.has(v));
  const body = [...rows.values()].map((row) => [row.service, row.target, ...used.map((v) => cell(row.byVantage.get(v) ?? [], c))]);

  const lines: string[] = [
    `svclab verify · ${report.cluster.namespace} · context ${report.cluster.context} · ${report.cluster.server}`,
    `nodes: ${report.cluster.nodes.map((n) => `${n.name} (${n.role}, ${n.internalIP ?? "no InternalIP"})`).join(", ")}`,
    drawTable(["service", "target", ...used], body),
    `${c.green("✓")} reached a pod of the Service   ${c.cyan("–")} not reachable, as the rule says   ${c.red("✗")} failed   ${c.yellow("!")} could not run   ${c.gray("skip")} skipped`,
  ];
  const problems = report.probes.filter((p) => p.status === "fail" || p.status === "error");
  if (problems.length > 0) {
    lines.push("", c.bold("Failed or could not run:"));
    for (const p of problems) {
      lines.push(`${symbol(p, c)} ${p.id}  [${p.rule.id}]`, `    rule: ${p.rule.sentence}`);
      if (p.subject !== undefined) lines.push(`    target: ${p.subject}`);
      lines.push(`    expected ${p.expect}; ${p.reason}`);
    }
  }
  const skipped = report.probes.filter((p) => p.status === "skipped");
  if (skipped.length > 0) {
    lines.push("", c.bold("Skipped (never counted as passed):"));
    for (const p of skipped) lines.push(`${symbol(p, c)} ${p.id}: ${p.reason}`);
  }
  if (report.notes.length > 0) {
    lines.push("", c.bold("Notes:"));
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  const summary = summaryLine(report.summary);
  const colored = report.summary.fail > 0 ? c.red(summary) : report.summary.error > 0 ? c.yellow(summary) : c.green(summary);
  lines.push("", `${colored} (${report.summary.total} probes in ${(report.durationMs / 1000).toFixed(1)} s)`);
  return `${lines.join("\n")}\n`;
}
