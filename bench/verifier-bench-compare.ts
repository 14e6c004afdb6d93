/**
 * The comparison `npm run bench:verifier` runs without a size: the verifier's
 * probe phase on the loopback stand-in world at concurrency 1, the default
 * and all at once. About half of the probes are expected "no" answers that
 * end by timeout (the world's silent blackhole at ClusterIPs and pod IPs).
 * Those waits have their own bound (256) apart from `concurrency`, and pod
 * probes travel to the agents in batches, so even concurrency 1 no longer
 * waits them out one after another: every run should cost about one timeout.
 *
 * Prints wall times, each run's multiple of the longest single timeout and
 * of the concurrency-1 run. Target: every run ≤ 1.2 × the longest single
 * timeout. It reports; it never fails a build.
 *
 * Run: `npm run bench:verifier [-- --timeout <ms>]` (default 1000 ms).
 */
import { performance } from "node:perf_hooks";
import { buildWorld, type World } from "../test/support/standin";
import { LIMITS, verify, type ProbeResult, type VerifyOptions } from "../verifier";

const TARGET_WALL_PER_TIMEOUT = 1.2;
/** The verifier's default concurrency, as a user gets it. */
const DEFAULT_CONCURRENCY = LIMITS.concurrency.default;
/** Outside probes plus everything one worker's probe agent sends. */
const ONLY = /\/(outside|pod:svclab-worker)$/;
/**
 * Left out: outside DNS probes (they would query this machine's non-loopback
 * resolver), and the agent's pod-IP probes for three of the five frontend
 * Services (the same pods again), so about half the probes are expected "no".
 */
const SKIP = /\/dns:[^/]*\/outside$|^(frontend-sticky|frontend-internal-local|frontend-lb)\/pod:[^/]*\/pod:svclab-worker$/;

interface PhaseRun {
  readonly concurrency: number;
  /** From the "planned" progress event to the last "probed" one: the probe phase alone. */
  readonly probeWallMs: number;
  readonly results: readonly ProbeResult[];
}

async function probePhase(world: World, timeoutMs: number, concurrency: number): Promise<PhaseRun> {
  let plannedAt = 0;
  let lastProbedAt = 0;
  const options: VerifyOptions = {
    kubeconfig: world.kubeconfigPath,
    namespace: world.namespace,
    only: ONLY,
    skip: SKIP,
    timeoutMs,
    deadlineMs: 120_000,
    concurrency,
    onProgress: (event) => {
      if (event.kind === "planned") plannedAt = performance.now();
      if (event.kind === "probed") lastProbedAt = performance.now();
    },
  };
  const report = await verify(options);
  if (report.exitCode !== 0) {
    const bad = report.probes.filter((p) => p.status !== "pass").map((p) => `${p.status} ${p.id}: ${p.reason}`);
    throw new Error(`the faithful world did not verify cleanly (exit ${report.exitCode}):\n${bad.join("\n")}`);
  }
  return { concurrency, probeWallMs: lastProbedAt - plannedAt, results: report.probes };
}

function endedByTimeout(result: ProbeResult): boolean {
  const observation = result.observation as { kind: string; attempts?: readonly { error: string | null }[] };
  return observation.kind === "http" && (observation.attempts ?? []).some((a) => a.error === "timeout");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Runs the comparison and prints it. */
export async function runComparison(timeoutMs: number): Promise<void> {
  process.stderr.write("bench: concurrency 1, then the default, then all at once, on the lab with more replicas…\n");
  // More replicas than the lab, so the outside blackhole probes (one per pod and Service) are plenty.
  const world = await buildWorld({ workloads: [{ component: "frontend", replicas: 6 }, { component: "backend", replicas: 4 }] });
  try {
    const sequential = await probePhase(world, timeoutMs, 1);
    const byDefault = await probePhase(world, timeoutMs, DEFAULT_CONCURRENCY);
    const total = sequential.results.length;
    const full = await probePhase(world, timeoutMs, Math.min(256, total));
    const expectNo = sequential.results.filter((r) => r.expectNo);
    const timedOut = full.results.filter(endedByTimeout);
    const longestTimeout = Math.max(...timedOut.map((r) => r.durationMs));

    const lines = [
      `verifier probe phase on the loopback stand-in world (slice 127.${world.addresses.slice}.0.0/16)`,
      `probes: ${total}; expected "no": ${expectNo.length}; ended by timeout: ${timedOut.length}; per-attempt timeout ${timeoutMs} ms`,
      ...[sequential, byDefault, full].map((run) => {
        const label = `concurrency ${run.concurrency}${run.concurrency === 1 ? "" : run.concurrency === DEFAULT_CONCURRENCY ? " (default)" : " (all at once)"}:`;
        const perTimeout = run.probeWallMs / longestTimeout;
        const versusOne = run === sequential ? "" : `, ${(sequential.probeWallMs / run.probeWallMs).toFixed(1)}× faster than concurrency 1`;
        const verdict = `${perTimeout <= TARGET_WALL_PER_TIMEOUT ? "meets" : "misses"} ≤ ${TARGET_WALL_PER_TIMEOUT}× timeout`;
        return `${label.padEnd(31)}${seconds(run.probeWallMs)}  = ${perTimeout.toFixed(2)}× the longest single timeout${versusOne} (${verdict})`;
      }),
      `longest single timed-out probe: ${longestTimeout} ms`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await world.close();
  }
}
