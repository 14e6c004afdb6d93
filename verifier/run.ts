/**
 * The runner: executes planned probes concurrently with a bound, each
 * attempt bounded by the per-attempt timeout, so a run costs about one
 * timeout rather than the sum of them. Only what can still change is sent
 * again ({@link mayStillChange}): an expected answer not yet there is retried
 * until the readiness deadline, and at least {@link MIN_TRIES} times whatever
 * the clock says; an expected refusal that only timed out is retried
 * {@link REFUSAL_TRIES} times (the ICMP rate limit); every other expected
 * "no" is one bounded attempt. A failure of the verifier's own access
 * (KubeApiError from the executor) ends the run at once.
 */
import type * as k8s from "@kubernetes/client-node";
import { describeExpectation, expectsNo, judge, mayStillChange, type Verdict } from "./judge";
import { getViaApiProxy } from "./probe/api-proxy";
import { httpAttempts, resolveHere } from "./probe/outside";
import { AgentBatcher } from "./probe/agent-batch";
import { rule } from "./rules";
import type { Attempt, Observation, Probe, ProbeResult } from "./types";

/**
 * Executes one probe once. Throws only a KubeApiError, when the verifier's own
 * access fails (API server gone, 401/403): that ends the run.
 */
export type ProbeExecutor = (probe: Probe) => Promise<Observation>;

/** Progress reported while a run goes on. */
export type ProgressEvent =
  | { readonly kind: "discovering"; readonly server: string; readonly namespace: string }
  | { readonly kind: "waiting"; readonly waiting: readonly string[] }
  | { readonly kind: "planned"; readonly total: number }
  | { readonly kind: "probed"; readonly result: ProbeResult; readonly done: number; readonly total: number };

/** How probes are run. */
export interface RunOptions {
  /** Distinct work-carrying requests in flight at once (≥ 1); probes sharing a request count once. */
  readonly concurrency: number;
  /**
   * Distinct expected-"no" requests (which usually just wait out their
   * timeout) in flight at once, beside `concurrency`; default
   * {@link WAIT_CONCURRENCY}. Waiting sockets are cheap, so these get their
   * own, larger bound and end together in about one timeout. Requests through
   * the API server's proxy always count as work.
   */
  readonly waitConcurrency?: number;
  /**
   * Probes the executor batches itself (with the live executor: pod probes,
   * {@link batchedByAgent}). They are all asked at once, outside both bounds:
   * the executor sends each agent its work in a few requests and the agents
   * bound their own sockets.
   */
  readonly batched?: (probe: Probe) => boolean;
  /** Retries of expected "yes" probes stop at this time (epoch ms). */
  readonly deadline: number;
  readonly execute: ProbeExecutor;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Expected-"no" requests in flight at once by default (see {@link RunOptions.waitConcurrency}). */
export const WAIT_CONCURRENCY = 256;

/** The probes {@link liveExecutor} batches per agent: dials and lookups from a pod whose node has an agent. */
export function batchedByAgent(probe: Probe): boolean {
  return probe.vantage === "pod" && probe.agent !== undefined && (probe.target.kind === "http" || probe.target.kind === "resolve");
}

/** Pause between retries of an expected "yes": starts here, doubles, capped. */
const RETRY_BACKOFF_MS = { first: 250, max: 2000 } as const;

/**
 * An expected answer that is not there yet is sent at least this often before
 * it counts, even past the deadline: one slow attempt on a loaded machine is
 * not a verdict.
 */
export const MIN_TRIES = 3;

/** An expected refusal that only timed out is sent this often in all (see judge's ICMP note). */
export const REFUSAL_TRIES = 3;

/** The kernel sends at most one ICMP port-unreachable per second to a host (`net.ipv4.icmp_ratelimit`). */
const ICMP_REFILL_MS = 1000;

/** Extra time allowed for the API server hop of an api-proxy request. */
const API_HOP_MS = 2000;

/**
 * The executor that sends real traffic from the three vantages. Pod probes go
 * to their agents in batches (probe/agent-batch.ts): run them with
 * {@link RunOptions.batched} set to {@link batchedByAgent}, so they are all
 * asked at once and each agent gets its work in a few requests.
 * @param probeToken the probe agents' token (probe/token.ts), sent with every pod probe; none when the lab has no token Secret
 */
export function liveExecutor(kc: k8s.KubeConfig, namespace: string, timeoutMs: number, probeToken?: string): ProbeExecutor {
  const agents = new AgentBatcher(kc, namespace, probeToken);
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
        ? agents.send(agent, { kind: "dial", url: target.url, count: target.requests, timeoutMs, expectNo: expectsNo(probe.expect) })
        : agents.send(agent, { kind: "resolve", name: target.name, recordType: target.recordType, timeoutMs });
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
 * probes that need them. Three lanes start together: batched groups (pod
 * probes, all at once), groups that expect no answer (and so usually wait a
 * whole timeout, `waitConcurrency` at a time) and the rest (`concurrency` at
 * a time). Results come back in plan order.
 * @throws KubeApiError as soon as the verifier's own access fails; no further request is sent
 */
export async function runProbes(probes: readonly Probe[], options: RunOptions): Promise<ProbeResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const waitConcurrency = Math.max(1, Math.floor(options.waitConcurrency ?? WAIT_CONCURRENCY));
  const results: ProbeResult[] = new Array(probes.length);
  const lanes = laneGroups(groupByRequest(probes), probes, options.batched);
  const run: RunState = { aborted: undefined };
  let done = 0;
  options.onProgress?.({ kind: "planned", total: probes.length });
  const record = (index: number, result: ProbeResult): void => {
    results[index] = result;
    done++;
    options.onProgress?.({ kind: "probed", result, done, total: probes.length });
  };
  /** `width` workers taking the lane's groups in order. */
  const lane = (groups: readonly Group[], width: number): Promise<void>[] => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length && run.aborted === undefined) {
        const group = groups[next++] as Group;
        try {
          await runGroup(group, probes, options, record, run);
        } catch (err) {
          run.aborted ??= err;
        }
      }
    };
    return Array.from({ length: Math.min(width, groups.length) }, worker);
  };
  // Expected "no" first, so their waits overlap everything else; then every batched group in the same tick, so the executor can put them in one request per agent.
  await Promise.all([...lane(lanes.waits, waitConcurrency), ...lane(lanes.batched, lanes.batched.length), ...lane(lanes.work, concurrency)]);
  if (run.aborted !== undefined) throw run.aborted;
  return results;
}

/** The three lanes of {@link runProbes}, each in the order given. */
function laneGroups(groups: readonly Group[], probes: readonly Probe[], batched: RunOptions["batched"]): { waits: Group[]; batched: Group[]; work: Group[] } {
  const lanes = { waits: [] as Group[], batched: [] as Group[], work: [] as Group[] };
  for (const group of groups) {
    const first = probes[group.indexes[0] as number] as Probe;
    if (first.skip === undefined && batched?.(first) === true) lanes.batched.push(group);
    else if (first.skip === undefined && first.target.kind !== "api-proxy" && expectsNothing(group, probes)) lanes.waits.push(group);
    else lanes.work.push(group);
  }
  return lanes;
}

/** A group whose request some probe expects to get no answer. */
function expectsNothing(group: Group, probes: readonly Probe[]): boolean {
  return group.indexes.some((i) => expectsNo((probes[i] as Probe).expect));
}

/** Shared by the workers of one run: the error that ended it, once one did. */
interface RunState {
  aborted: unknown;
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
  return groups;
}

/**
 * Sends the group's request and judges each of its probes. Probes whose
 * verdict may still change are sent again together (one request for all of
 * them) within the bounds above. Spread and affinity probes keep the answers
 * they got and send only the requests that got none; an expected refusal
 * keeps every attempt, so a refusal among rate-limited timeouts counts.
 */
async function runGroup(
  group: Group,
  probes: readonly Probe[],
  options: RunOptions,
  record: (index: number, result: ProbeResult) => void,
  run: RunState,
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
  let request = first;
  let tries = 0;
  let backoff: number = RETRY_BACKOFF_MS.first;
  const kept = new Map<number, readonly Attempt[]>();
  for (;;) {
    const fresh = await options.execute(request);
    tries++;
    const retry: number[] = [];
    let pause = backoff;
    for (const index of pending) {
      const probe = probes[index] as Probe;
      const observation = withKept(kept.get(index), fresh);
      const verdict = judge(probe, observation);
      if (run.aborted === undefined && mayStillChange(probe, observation, verdict) && mayTryAgain(probe, tries, options.deadline, backoff)) {
        retry.push(index);
        kept.set(index, attemptsToKeep(probe, observation));
        if (probe.expect.kind === "refused") pause = Math.max(pause, ICMP_REFILL_MS);
      } else {
        finish(index, observation, verdict);
      }
    }
    if (retry.length === 0) return;
    pending = retry;
    request = nextRequest(probes[retry[0] as number] as Probe, kept.get(retry[0] as number) ?? []);
    await new Promise((resolve) => setTimeout(resolve, pause));
    backoff = Math.min(backoff * 2, RETRY_BACKOFF_MS.max);
    if (run.aborted !== undefined) return;
  }
}

/** Within the bounds: a refusal {@link REFUSAL_TRIES} times; an answer until the deadline, and at least {@link MIN_TRIES} times. */
function mayTryAgain(probe: Probe, tries: number, deadline: number, backoff: number): boolean {
  if (expectsNo(probe.expect)) return tries < REFUSAL_TRIES;
  return tries < MIN_TRIES || deadline - Date.now() > backoff;
}

/** The attempts a retried probe carries on: the answered ones of a spread/affinity check, every one of a refusal. */
function attemptsToKeep(probe: Probe, observation: Observation): readonly Attempt[] {
  if (observation.kind !== "http") return [];
  if (probe.expect.kind === "refused") return observation.attempts;
  if (probe.expect.kind === "spread" || probe.expect.kind === "single-pod") return observation.attempts.filter((a) => a.status !== null || a.identity !== null);
  return [];
}

/** The fresh observation with the kept attempts in front. */
function withKept(kept: readonly Attempt[] | undefined, fresh: Observation): Observation {
  if (kept === undefined || kept.length === 0 || fresh.kind !== "http") return fresh;
  return { kind: "http", attempts: [...kept, ...fresh.attempts] };
}

/** The request to send again: for spread/affinity only as many requests as got no answer. */
function nextRequest(probe: Probe, kept: readonly Attempt[]): Probe {
  const target = probe.target;
  if (target.kind !== "http" || (probe.expect.kind !== "spread" && probe.expect.kind !== "single-pod")) return probe;
  return { ...probe, target: { ...target, requests: Math.max(1, target.requests - kept.length) } };
}
