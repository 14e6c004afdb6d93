/**
 * Sends each probe agent its work in a few requests: the dials and lookups
 * asked of one agent within a short window go out together as one
 * `POST .../pods/<agent>/proxy/dial` (docs/CONTRACTS.md, `POST /dial`), and
 * each probe's promise settles as its line of the streamed answer arrives.
 * Retries are just later calls: those that come within one window share a
 * request too.
 *
 * Correctness first: a probe whose line never comes (agent gone, stream cut
 * short or ending without its last line, a malformed line) is a broken probe
 * ("could not run"), never a pass; a refused token or an API server that is
 * gone or refuses the verifier rejects every probe of the request with the
 * KubeApiError that ends the run, as a single request would.
 */
import type * as k8s from "@kubernetes/client-node";
import { kubePostLines } from "../kube/stream";
import type { ProbeAgentInfo } from "../model";
import type { Observation } from "../types";
import {
  AGENT_COUNT,
  AGENT_TIMEOUT,
  agentAccessError,
  agentName,
  agentPath,
  brokenRequest,
  clamp,
  dialObservation,
  PROXY_OVERHEAD_MS,
  resolveObservation,
} from "./pod";
import { PROBE_TOKEN_HEADER } from "./token";

/** One dial or lookup asked of an agent. */
export type PodWork =
  | { readonly kind: "dial"; readonly url: string; readonly count: number; readonly timeoutMs: number; readonly expectNo: boolean }
  | { readonly kind: "resolve"; readonly name: string; readonly recordType: "A" | "AAAA" | "CNAME"; readonly timeoutMs: number };

/** The agent's side of the contract (docs/CONTRACTS.md, `POST /dial`); the verifier imports nothing of the app. */
export const AGENT_LIMITS = Object.freeze({ maxItems: 1000, workSlots: 32, waitSlots: 256 });

/** The agent's own time limit for a lookup when none is sent (the verifier sends none, as it always has). */
const AGENT_RESOLVE_MS = 1500;

/** How the batcher groups work. */
export interface BatcherOptions {
  /** How long the first call for an agent waits for others to join its request (ms); default 50. */
  readonly windowMs?: number;
  /** Requests in flight to one agent at once; more work waits for one to end. Default 4. */
  readonly maxInFlight?: number;
}

interface Queued {
  readonly work: PodWork;
  readonly settle: (observation: Observation) => void;
  readonly fail: (error: unknown) => void;
}

interface AgentQueue {
  readonly agent: ProbeAgentInfo;
  queued: Queued[];
  timer: NodeJS.Timeout | undefined;
  inFlight: number;
  /** Attempt time (ms) of the items sent and not yet answered, per agent pool: what may run ahead of a new request. */
  pendingWorkMs: number;
  pendingWaitMs: number;
}

/** Sends pod probes to their agents in batches; one per run. */
export class AgentBatcher {
  private readonly queues = new Map<string, AgentQueue>();
  private readonly windowMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly token: string | undefined,
    options: BatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 50;
    this.maxInFlight = options.maxInFlight ?? 4;
  }

  /**
   * Asks `agent` to do `work`; settles when its line arrives or its request ends.
   * @throws KubeApiError (as a rejection) when the verifier cannot use the agent at all
   */
  send(agent: ProbeAgentInfo, work: PodWork): Promise<Observation> {
    const key = `${agent.pod}:${agent.port}`;
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = { agent, queued: [], timer: undefined, inFlight: 0, pendingWorkMs: 0, pendingWaitMs: 0 };
      this.queues.set(key, queue);
    }
    const target = queue;
    return new Promise<Observation>((settle, fail) => {
      target.queued.push({ work, settle, fail });
      target.timer ??= setTimeout(() => {
        target.timer = undefined;
        this.flush(target);
      }, this.windowMs);
    });
  }

  private flush(queue: AgentQueue): void {
    while (queue.queued.length > 0 && queue.inFlight < this.maxInFlight) {
      const batch = queue.queued.splice(0, AGENT_LIMITS.maxItems);
      queue.inFlight += 1;
      void this.sendBatch(queue, batch).finally(() => {
        queue.inFlight -= 1;
        // Work that queued behind the in-flight limit has waited long enough: send it now.
        if (queue.timer === undefined) this.flush(queue);
      });
    }
  }

  private async sendBatch(queue: AgentQueue, batch: readonly Queued[]): Promise<void> {
    const { agent } = queue;
    const items = batch.map((entry, index) => toItem(String(index), entry.work));
    const workMs = batch.filter((e) => !isWait(e.work)).map((e) => attemptTime(e.work));
    const waitMs = batch.filter((e) => isWait(e.work)).map((e) => attemptTime(e.work));
    const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
    queue.pendingWorkMs += sum(workMs);
    queue.pendingWaitMs += sum(waitMs);
    // The agent runs its pools first come, first served: this request ends once what is ahead of it and its own items ran.
    const boundMs =
      PROXY_OVERHEAD_MS +
      Math.ceil(queue.pendingWorkMs / AGENT_LIMITS.workSlots) + Math.max(0, ...workMs) +
      Math.ceil(queue.pendingWaitMs / AGENT_LIMITS.waitSlots) + Math.max(0, ...waitMs);

    const open = new Map<string, Queued>(batch.map((entry, index) => [String(index), entry]));
    let done = false;
    let malformed: string | undefined;
    const where = agentName(this.namespace, agent);
    const onLine = (line: string): void => {
      let body: unknown;
      try {
        body = JSON.parse(line);
      } catch {
        malformed ??= line;
        return;
      }
      const fields = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
      if (fields?.done === true) {
        done = true;
        return;
      }
      const id = typeof fields?.id === "string" ? fields.id : undefined;
      const entry = id === undefined ? undefined : open.get(id);
      if (fields === undefined || id === undefined || entry === undefined || fields.kind !== entry.work.kind) {
        malformed ??= line;
        return;
      }
      open.delete(id);
      entry.settle(entry.work.kind === "dial" ? dialObservation(this.namespace, agent, fields) : resolveObservation(fields));
    };

    const headers: Record<string, string> = this.token === undefined ? {} : { [PROBE_TOKEN_HEADER]: this.token };
    const result = await kubePostLines(this.kc, agentPath(this.namespace, agent, "dial"), JSON.stringify({ items }), boundMs, headers, onLine);
    queue.pendingWorkMs -= sum(workMs);
    queue.pendingWaitMs -= sum(waitMs);
    if (open.size === 0) return;
    if (result.kind !== "streamed") {
      const denied = agentAccessError(this.kc, this.namespace, agent, this.token, result);
      for (const entry of open.values()) {
        if (denied !== undefined) entry.fail(denied);
        else entry.settle(brokenRequest(this.namespace, agent, result));
      }
      return;
    }
    const broken = unanswered(where, result.cut, done, malformed, open.size, batch.length);
    for (const entry of open.values()) entry.settle(broken);
  }
}

/** Why probes of a streamed answer got no line: the observation they all get. */
function unanswered(where: string, cut: { error: string; message: string } | undefined, done: boolean, malformed: string | undefined, missing: number, total: number): Observation {
  const count = `${missing} of its ${total} items got no result`;
  if (malformed !== undefined) {
    return { kind: "broken", message: `${where}: the batch answer has a malformed line (${JSON.stringify(malformed.slice(0, 120))}); ${count}` };
  }
  // A cut stream is a dropped hop, as a failed single request is: a retry may get through.
  if (cut !== undefined) return { kind: "broken", message: `${where}: the batch answer was cut off (${cut.error}: ${cut.message}); ${count}`, transient: true };
  if (!done) return { kind: "broken", message: `${where}: the batch answer ended without its last line; ${count}`, transient: true };
  return { kind: "broken", message: `${where}: the batch answer ended, but ${count}` };
}

function isWait(work: PodWork): boolean {
  return work.kind === "dial" && work.expectNo;
}

/** The longest the agent may spend on one item. */
function attemptTime(work: PodWork): number {
  if (work.kind === "resolve") return Math.max(AGENT_RESOLVE_MS, work.timeoutMs);
  return clamp(work.count, AGENT_COUNT) * clamp(work.timeoutMs, AGENT_TIMEOUT);
}

/** The item as the agent reads it: count and timeout clamped into what it accepts. */
function toItem(id: string, work: PodWork): Record<string, unknown> {
  if (work.kind === "resolve") return { id, kind: "resolve", name: work.name, type: work.recordType };
  return {
    id,
    target: work.url,
    count: clamp(work.count, AGENT_COUNT),
    timeoutMs: clamp(work.timeoutMs, AGENT_TIMEOUT),
    ...(work.expectNo ? { expectNo: true } : {}),
  };
}
