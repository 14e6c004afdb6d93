/**
 * A sized benchmark run: builds a stand-in world of `services` × `nodes`,
 * runs the verifier against it in a child process (bench/verifier-bench-run.ts),
 * and prints what the run cost: wall time against the per-attempt timeout,
 * API requests by kind, the verifier's peak RSS, the render time of each
 * report view, and last the one line a script reads (verifier-bench-line.ts).
 * Everything it touches is on loopback; outside DNS probes are left out
 * because they would ask this machine's resolver.
 *
 * The stand-in runs with its own V8 flags (standin-flags.ts), the verifier's
 * process with none. Its demo-app pods run in a child process of their own
 * (`podHost: "child"`), so the stand-in's work is spread over two cores and
 * the verifier, not the stand-in, sets the pace.
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildWorld, scaledWorldSpec, type ApiRequestCounts } from "../test/support/standin";
import type { ApiProxyMax } from "../verifier";
import { cpuSecondsOf } from "./process-cpu";
import { hasStandinFlags, rerunWithStandinFlags } from "./standin-flags";
import { benchLine } from "./verifier-bench-line";
import type { RunJob, RunMessage } from "./verifier-bench-run";

/** What a sized run is asked to do. */
export interface SizedOptions {
  readonly services: number;
  readonly nodes: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** The verifier's `apiProxyMax`; its default when absent. */
  readonly apiProxyMax?: ApiProxyMax;
  /** Write the run's JSON report here. */
  readonly saveReport?: string;
}

/** The outside DNS probes: they would query this machine's resolver, never a loopback one. */
export const SKIP_OUTSIDE_DNS = /\/dns:[^/]*\/outside$/;

/** How long the verifier's process may take to exit after it reported. */
const EXIT_GRACE_MS = 5000;

type Done = Extract<RunMessage, { kind: "done" }>;

/** The verifier's result and the CPU seconds its process had used when it sent it. */
interface Finished {
  readonly done: Done;
  readonly cpuSeconds: number | undefined;
}

function log(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Runs the verifier's process and waits for its result; progress goes to stderr. */
function runVerifier(job: RunJob): Promise<Finished> {
  return new Promise((resolve, reject) => {
    // execArgv: [] because fork copies this process's node flags by default, and the
    // stand-in's (standin-flags.ts) would change the verifier's speed and RSS the bench
    // reports. NODE_OPTIONS still reaches both processes, e.g. to profile them.
    const child = fork(path.join(__dirname, "verifier-bench-run.js"), [JSON.stringify(job)], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    let result: Finished | undefined;
    let failure: string | undefined;
    let killer: NodeJS.Timeout | undefined;
    child.on("message", (message: RunMessage) => {
      if (message.kind === "progress") log(message.text);
      if (message.kind === "failed") failure = message.message;
      if (message.kind === "done") {
        result = { done: message, cpuSeconds: cpuSecondsOf(child.pid!) };
        killer = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (killer !== undefined) clearTimeout(killer);
      if (result !== undefined) resolve(result);
      else reject(new Error(failure ?? `the verifier's process ended (${signal ?? `exit ${code}`}) without a result`));
    });
  });
}

function since(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : after - before;
}

function seconds(value: number | undefined): string {
  return value === undefined ? "?" : value.toFixed(1);
}

function total(counts: ApiRequestCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Runs one size; resolves with the exit code (1 when a probe of the faithful world did not pass). */
export async function runSized(options: SizedOptions): Promise<number> {
  if (!hasStandinFlags()) return rerunWithStandinFlags();
  const spec = scaledWorldSpec({ services: options.services, nodes: options.nodes });
  log(`building a stand-in of ${options.services} Services × ${options.nodes} nodes…`);
  const buildStarted = performance.now();
  const world = await buildWorld(spec, { podHost: "child" });
  try {
    log(`built in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s on 127.${world.addresses.slice}.0.0/16; running the verifier (timeout ${options.timeoutMs} ms, concurrency ${options.concurrency})`);
    const before = world.api.requestCounts();
    const cpuBefore = { standin: cpuSecondsOf(process.pid), podHost: cpuSecondsOf(world.podHostPid) };
    const { done, cpuSeconds: verifierCpu } = await runVerifier({
      kubeconfig: world.kubeconfigPath,
      namespace: world.namespace,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      ...(options.apiProxyMax !== undefined ? { apiProxyMax: options.apiProxyMax } : {}),
      skip: SKIP_OUTSIDE_DNS.source,
      ...(options.saveReport !== undefined ? { saveReport: path.resolve(options.saveReport) } : {}),
    });
    const after = world.api.requestCounts();
    const cpu = { standin: since(cpuBefore.standin, cpuSecondsOf(process.pid)), podHost: since(cpuBefore.podHost, cpuSecondsOf(world.podHostPid)) };
    const counts = Object.fromEntries(Object.entries(after).map(([kind, n]) => [kind, n - before[kind as keyof ApiRequestCounts]])) as ApiRequestCounts;
    const { summary } = done;
    for (const problem of done.problems.slice(0, 20)) log(problem);
    if (done.problems.length > 20) log(`… and ${done.problems.length - 20} more`);
    log(`probe phase ${(done.probeWallMs / 1000).toFixed(2)} s of ${(done.wallMs / 1000).toFixed(2)} s; ${summary.skipped} skipped; outside DNS probes left out (they would ask this machine's resolver)`);
    log(`api requests ${total(counts)}: lists ${counts.list}, gets ${counts.get}, services proxy ${counts["services-proxy"]}, pods proxy ${counts["pods-proxy"]}, other ${counts.other}`);
    log(`render (ms / KiB): ${Object.entries(done.render).map(([view, r]) => `${view} ${r.ms} / ${(r.bytes / 1024).toFixed(0)}`).join(", ")}`);
    const podHostCpu = world.podHostPid === process.pid ? "in the stand-in's process" : seconds(cpu.podHost);
    log(`cpu seconds (user+sys) while the verifier ran: stand-in ${seconds(cpu.standin)}, its pod host ${podHostCpu}, verifier's process ${seconds(verifierCpu)} (its start and rendering included)`);
    log(`verifier peak RSS ${done.rssAfterVerifyMiB.toFixed(1)} MiB after the run, ${done.rssPeakMiB.toFixed(1)} MiB after rendering every view`);
    process.stdout.write(`${benchLine({
      probes: summary.total,
      wallSeconds: done.wallMs / 1000,
      timeoutSeconds: options.timeoutMs / 1000,
      apiRequests: total(counts),
      rssMiB: done.rssPeakMiB,
      pass: summary.pass,
      fail: summary.fail,
      error: summary.error,
      skipped: summary.skipped,
    })}\n`);
    return summary.fail + summary.error > 0 ? 1 : 0;
  } finally {
    await world.close();
  }
}
