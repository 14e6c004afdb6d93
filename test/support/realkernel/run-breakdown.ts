/**
 * Where one verifier run's wall time went, from its progress events and
 * results: discovery (until the plan), the probe phase, and the probes that
 * held the run up (the longest, with their attempts), so a slow suite can be
 * read from its output rather than guessed at. Printed, never asserted.
 */
import type { ProbeResult, ProgressEvent, VerifyReport } from "../../../verifier";

/** Collects a run's timings; pass {@link onProgress} to `verify()`. */
export class RunBreakdown {
  private readonly began = performance.now();
  private plannedAt: number | undefined;

  constructor(private readonly name: string) {}

  readonly onProgress = (event: ProgressEvent): void => {
    if (event.kind === "planned") this.plannedAt = performance.now();
  };

  /** One line for the run, then one indented line per slowest probe. */
  describe(report: VerifyReport, slowest = 4): string {
    const ended = performance.now();
    const planned = this.plannedAt ?? ended;
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    const sent = report.probes.filter((p) => p.observation.kind !== "none" && p.status !== "skipped");
    const waitedOut = sent.filter((p) => attemptsOf(p).some((a) => a === "timeout"));
    const head =
      `realkernel run ${this.name}: ${seconds(ended - this.began)} s = discovery ${seconds(planned - this.began)} s + probes ${seconds(ended - planned)} s; ` +
      `${report.probes.length} probes (${sent.length} sent, ${waitedOut.length} with a timed-out attempt); ` +
      `${report.summary.pass} pass, ${report.summary.fail} fail, ${report.summary.error} error`;
    const longest = [...sent].sort((a, b) => b.durationMs - a.durationMs).slice(0, slowest);
    return [head, ...longest.map((p) => `  ${seconds(p.durationMs)} s ${p.status} ${p.id} [${p.expect}] attempts: ${attemptsOf(p).join(",") || p.observation.kind}`)].join("\n");
  }
}

/** Each attempt of a probe in a word: `ok`, or its failure kind. */
function attemptsOf(result: ProbeResult): string[] {
  const o = result.observation;
  if (o.kind === "http") return o.attempts.map((a) => (a.ok ? "ok" : a.error ?? "?"));
  if (o.kind === "dns") return [o.ok ? "ok" : o.error];
  if (o.kind === "broken") return [o.transient === true ? "broken(transient)" : "broken"];
  return [];
}
