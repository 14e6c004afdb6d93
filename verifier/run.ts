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
  /** Distinct requests in flight at once (≥ 1); probes sharing a request count once. */
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

/**
 * The request a probe sends, as a key: probes that send the very same request
 * from the same place (a pod IP probed for each Service over that pod, say)
 * share one execution. `undefined` for probes that send nothing.
 */
export function requestKey(probe: Probe): string | undefined {
  if (probe.skip !== undefined) return undefined;
  const target = probe.target;
  const place = `${probe.vantage} ${probe.from ?? ""}`;
  switch (target.kind) {
    case "inspect":
      return undefined;
    case "http":
      return `${place} GET ${target.url} x${target.requests}`;
    case "resolve":
      return `${place} ${target.recordType} ${target.name}`;
    case "api-proxy":
      return `${place} proxy ${target.path}`;
  }
}

/** One unit of work: a request and every probe judged on it. */
interface Group {
  readonly indexes: number[];
  readonly key: string | undefined;
}

/**
 * Runs every probe and judges it. Identical requests are sent once for all
 * probes that need them; groups that expect no answer (and so usually wait a
 * whole timeout) start first. Results come back in plan order.
 */
export async function runProbes(probes: readonly Probe[], options: RunOptions): Promise<ProbeResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const results: ProbeResult[] = new Array(probes.length);
  const groups = groupByRequest(probes);
  let next = 0;
  let done = 0;
  options.onProgress?.({ kind: "planned", total: probes.length });
  const record = (index: number, result: ProbeResult): void => {
    results[index] = result;
    done++;
    options.onProgress?.({ kind: "probed", result, done, total: probes.length });
  };
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const group = groups[next++] as Group;
      await runGroup(group, probes, options, record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
  return results;
}

function groupByRequest(probes: readonly Probe[]): Group[] {
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  probes.forEach((probe, index) => {
    const key = requestKey(probe);
    const existing = key === undefined ? undefined : byKey.get(key);
    if (existing !== undefined) {
      existing.indexes.push(index);
      return;
    }
    const group: Group = { indexes: [index], key };
    if (key !== undefined) byKey.set(key, group);
    groups.push(group);
  });
  const expectsNothing = (g: Group): boolean => g.indexes.some((i) => expectsNo((probes[i] as Probe).expect));
  // Stable: expected-"no" groups first, otherwise plan order.
  return [...groups.filter(expectsNothing), ...groups.filter((g) => !expectsNothing(g))];
}

/**
 * Sends the group's request and judges each of its probes. Probes expecting an
 * answer that did not pass are retried together (one request again for all of
 * them) until they pass or the deadline comes.
 */
async function runGroup(
  group: Group,
  probes: readonly Probe[],
  options: RunOptions,
  record: (index: number, result: ProbeResult) => void,
): Promise<void> {
  const started = performance.now();
  const finish = (index: number, observation: Observation, verdict: Verdict): void => {
    const probe = probes[index] as Probe;
    record(index, {
      id: probe.id,
      rule: { id: probe.rule, sentence: rule(probe.rule).sentence },
      service: probe.service,
      target: probe.target.label,
      vantage: probe.vantage,
      ...(probe.from !== undefined ? { from: probe.from } : {}),
      ...(probe.subject !== undefined ? { subject: probe.subject } : {}),
      expect: describeExpectation(probe.expect),
      expectNo: expectsNo(probe.expect),
      status: verdict.status,
      observation,
      reason: verdict.reason,
      durationMs: Math.round(performance.now() - started),
    });
  };
  const first = probes[group.indexes[0] as number] as Probe;
  if (first.skip !== undefined) {
    finish(group.indexes[0] as number, { kind: "none" }, { status: "skipped", reason: first.skip });
    return;
  }

  let pending = group.indexes;
  let backoff: number = RETRY_BACKOFF_MS.first;
  for (;;) {
    const observation = await options.execute(probes[pending[0] as number] as Probe);
    const retry: number[] = [];
    for (const index of pending) {
      const probe = probes[index] as Probe;
      const verdict = judge(probe, observation);
      const retryable = verdict.status !== "pass" && verdict.status !== "skipped" && !expectsNo(probe.expect) && probe.expect.kind !== "fact";
      if (retryable && options.deadline - Date.now() > backoff) retry.push(index);
      else finish(index, observation, verdict);
    }
    if (retry.length === 0) return;
    pending = retry;
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, RETRY_BACKOFF_MS.max);
  }
}
