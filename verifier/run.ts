/**
 * The runner: executes planned probes concurrently with a bound, each
 * attempt bounded by the per-attempt timeout, so a run costs about one
 * timeout rather than the sum of them. An expected "yes" is retried until the
 * readiness deadline; an expected "no" is one bounded attempt.
 */
import type * as k8s from "@kubernetes/client-node";
import { describeExpectation, expectsNo, judge, type Verdict } from "./judge";
import { getViaApiProxy } from "./probe/api-proxy";
import { httpAttempts, resolveHere } from "./probe/outside";
import { dialFromPod, resolveFromPod } from "./probe/pod";
import { rule } from "./rules";
import type { Observation, Probe, ProbeResult } from "./types";

/** Executes one probe once; never throws. */
export type ProbeExecutor = (probe: Probe) => Promise<Observation>;

/** Progress reported while a run goes on. */
export type ProgressEvent =
  | { readonly kind: "discovering"; readonly server: string; readonly namespace: string }
  | { readonly kind: "waiting"; readonly waiting: readonly string[] }
  | { readonly kind: "planned"; readonly total: number }
  | { readonly kind: "probed"; readonly result: ProbeResult; readonly done: number; readonly total: number };

/** How probes are run. */
export interface RunOptions {
  /** Probes in flight at once (≥ 1). */
  readonly concurrency: number;
  /** Retries of expected "yes" probes stop at this time (epoch ms). */
  readonly deadline: number;
  readonly execute: ProbeExecutor;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Pause between retries of an expected "yes": starts here, doubles, capped. */
const RETRY_BACKOFF_MS = { first: 250, max: 2000 } as const;

/** Extra time allowed for the API server hop of an api-proxy request. */
const API_HOP_MS = 2000;

/** The executor that sends real traffic from the three vantages. */
export function liveExecutor(kc: k8s.KubeConfig, namespace: string, timeoutMs: number): ProbeExecutor {
  return async (probe) => {
    const target = probe.target;
    if (target.kind === "inspect") return { kind: "none" };
    if (target.kind === "api-proxy") return getViaApiProxy(kc, target.path, timeoutMs + API_HOP_MS);
    if (probe.vantage === "pod") {
      const agent = probe.agent;
      if (agent === undefined) {
        return { kind: "broken", message: `no ready probe agent on node ${probe.from ?? "?"} (label app.kubernetes.io/component=probe)` };
      }
      return target.kind === "http"
        ? dialFromPod(kc, namespace, agent, target.url, target.requests, timeoutMs)
        : resolveFromPod(kc, namespace, agent, target.name, target.recordType, timeoutMs);
    }
    return target.kind === "http" ? httpAttempts(target.url, target.requests, timeoutMs) : resolveHere(target.name, timeoutMs);
  };
}

/** Runs every probe and judges it. Results come back in plan order. */
export async function runProbes(probes: readonly Probe[], options: RunOptions): Promise<ProbeResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const results: ProbeResult[] = new Array(probes.length);
  let next = 0;
  let done = 0;
  options.onProgress?.({ kind: "planned", total: probes.length });
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const index = next++;
      const probe = probes[index] as Probe;
      const result = await runOne(probe, options);
      results[index] = result;
      done++;
      options.onProgress?.({ kind: "probed", result, done, total: probes.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, probes.length) }, worker));
  return results;
}

async function runOne(probe: Probe, options: RunOptions): Promise<ProbeResult> {
  const started = performance.now();
  const finish = (observation: Observation, verdict: Verdict): ProbeResult => ({
    id: probe.id,
    rule: { id: probe.rule, sentence: rule(probe.rule).sentence },
    service: probe.service,
    target: probe.target.label,
    vantage: probe.vantage,
    ...(probe.from !== undefined ? { from: probe.from } : {}),
    expect: describeExpectation(probe.expect),
    expectNo: expectsNo(probe.expect),
    status: verdict.status,
    observation,
    reason: verdict.reason,
    durationMs: Math.round(performance.now() - started),
  });
  if (probe.skip !== undefined) return finish({ kind: "none" }, { status: "skipped", reason: probe.skip });

  let backoff: number = RETRY_BACKOFF_MS.first;
  for (;;) {
    const observation = await options.execute(probe);
    const verdict = judge(probe, observation);
    const retry = verdict.status !== "pass" && verdict.status !== "skipped" && !expectsNo(probe.expect) && probe.expect.kind !== "fact";
    const remaining = options.deadline - Date.now();
    if (!retry || remaining <= backoff) return finish(observation, verdict);
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, RETRY_BACKOFF_MS.max);
  }
}
