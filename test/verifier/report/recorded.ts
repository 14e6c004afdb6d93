/**
 * The recorded JSON reports (see record-reports.ts) and a reader that turns
 * the printed matrix back into rows and cells, so tests assert structure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { VerifyReport } from "../../../verifier";

export type Recorded = "default-pass" | "failures" | "five-nodes";

/** A recorded report, parsed afresh (tests may change their copy). */
export function recorded(name: Recorded): VerifyReport {
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "fixtures", "verify-reports", `${name}.json`), "utf8")) as VerifyReport;
}

/** The matrix as header names and one record per Service row, cut at the header's column starts. */
export function parseMatrix(text: string): { header: string[]; rows: Record<string, string>[]; headerIndex: number; legendIndex: number } {
  const lines = text.split("\n");
  const headerIndex = lines.findIndex((l) => l.startsWith("Service "));
  const legendIndex = lines.findIndex((l) => l.startsWith("cells: "));
  if (headerIndex < 0 || legendIndex < 0) throw new Error(`no matrix in:\n${text}`);
  const headerLine = lines[headerIndex] as string;
  const starts: number[] = [];
  const header: string[] = [];
  for (const match of headerLine.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(match.index ?? 0);
    header.push(match[0]);
  }
  const rows = lines.slice(headerIndex + 2, legendIndex).map((line) => {
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      row[name] = line.slice(starts[i], starts[i + 1] ?? line.length).trim();
    });
    return row;
  });
  return { header, rows, headerIndex, legendIndex };
}
