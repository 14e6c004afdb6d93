/**
 * The text of a matrix cell: the verdicts of one Service's paths into one
 * column, `outside/from pods`, with the API proxy's after them.
 */
import type { ProbeResult } from "../types";
import type { Cell } from "./picture";
import { GLYPHS, type Verdict, verdictOf } from "./verdict";

const SEVERITY_ORDER: readonly Verdict[] = ["failed", "error", "skipped", "reached", "unreachable"];

/** One vantage's verdicts: a glyph when they agree, else glyph+count per verdict, worst first. */
export function sideText(results: readonly ProbeResult[]): string {
  if (results.length === 0) return "·";
  const counts = new Map<Verdict, number>();
  for (const r of results) counts.set(verdictOf(r), (counts.get(verdictOf(r)) ?? 0) + 1);
  if (counts.size === 1) return GLYPHS[verdictOf(results[0] as ProbeResult)];
  return SEVERITY_ORDER.filter((v) => counts.has(v))
    .map((v) => `${GLYPHS[v]}${counts.get(v)}`)
    .join("");
}

/** A cell: `outside/pods`, the proxy's glyphs alone, or empty when nothing was probed there. */
export function cellText(cell: Cell | undefined): string {
  if (cell === undefined) return "";
  if (cell.outside.length === 0 && cell.pods.length === 0) return cell.proxy.length === 0 ? "" : sideText(cell.proxy);
  const text = `${sideText(cell.outside)}/${sideText(cell.pods)}`;
  return cell.proxy.length === 0 ? text : `${text} ${sideText(cell.proxy)}`;
}

