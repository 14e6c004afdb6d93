/**
 * The one line `npm run bench:verifier -- --services N --nodes M` ends with,
 * for scripts: space-separated `key=value`, always the same keys in the same
 * order (issue 13's keys, then `skipped`, so pass + fail + error + skipped
 * = probes and a bounded run cannot pass for a complete one).
 */

/** What one sized run measured. */
export interface SizedRunResult {
  /** Probes the verifier ran (outside DNS probes are left out: they would ask this machine's resolver). */
  readonly probes: number;
  /** Wall time of the verifier's run (discovery, plan, probes, judging), in seconds. */
  readonly wallSeconds: number;
  /** The per-attempt timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** Requests the API server received during the run, every kind. */
  readonly apiRequests: number;
  /** Peak resident set size of the verifier's process, in MiB. */
  readonly rssMiB: number;
  readonly pass: number;
  readonly fail: number;
  readonly error: number;
  /** Probes reported skipped (e.g. Services over the API-proxy bound); never counted as passed. */
  readonly skipped: number;
}

/** `probes=<n> wall=<s> timeout=<s> ratio=<wall/timeout> api-requests=<n> rss=<MiB> pass=<n> fail=<n> error=<n> skipped=<n>`. */
export function benchLine(run: SizedRunResult): string {
  const ratio = run.wallSeconds / run.timeoutSeconds;
  return [
    `probes=${run.probes}`,
    `wall=${run.wallSeconds.toFixed(2)}`,
    `timeout=${run.timeoutSeconds.toFixed(2)}`,
    `ratio=${ratio.toFixed(2)}`,
    `api-requests=${run.apiRequests}`,
    `rss=${run.rssMiB.toFixed(1)}`,
    `pass=${run.pass}`,
    `fail=${run.fail}`,
    `error=${run.error}`,
    `skipped=${run.skipped}`,
  ].join(" ");
}
