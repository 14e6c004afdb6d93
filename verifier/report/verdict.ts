/**
 * A probe's verdict as the views name it: a pass that reached a pod is
 * `reached`, a pass that confirmed an expected "no" is `unreachable` (shown
 * apart from a reach), then `failed`, `error` (could not run), `skipped`.
 */
import type { ProbeResult } from "../types";

export type Verdict = "reached" | "unreachable" | "failed" | "error" | "skipped";

/** Worst first: what a group of probes is coloured by. */
const SEVERITY: readonly Verdict[] = ["failed", "error", "skipped", "reached", "unreachable"];

/** The glyphs of the terminal views, one per verdict. */
export const GLYPHS: Readonly<Record<Verdict, string>> = {
  reached: "✓",
  unreachable: "–",
  failed: "✗",
  error: "!",
  skipped: "skip",
};

/** What each verdict means, for legends. */
export const MEANINGS: Readonly<Record<Verdict, string>> = {
  reached: "reached a pod of the Service",
  unreachable: "not reachable, as the rule says",
  failed: "failed",
  error: "could not run",
  skipped: "skipped",
};

export const VERDICTS: readonly Verdict[] = ["reached", "unreachable", "failed", "error", "skipped"];

export function verdictOf(result: ProbeResult): Verdict {
  switch (result.status) {
    case "pass":
      return result.expectNo ? "unreachable" : "reached";
    case "fail":
      return "failed";
    case "error":
      return "error";
    case "skipped":
      return "skipped";
  }
}

/** The worst verdict of several; `reached` for none. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  let worst: Verdict | undefined;
  for (const v of verdicts) if (worst === undefined || SEVERITY.indexOf(v) < SEVERITY.indexOf(worst)) worst = v;
  return worst ?? "reached";
}
