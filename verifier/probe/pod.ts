/**
 * The pod vantage: the probe agent on a node dials or resolves on the
 * verifier's behalf, reached through the API server's pods proxy
 * (`/api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/...`). This module reads
 * what comes back: an agent's answer for one dial or lookup becomes an
 * observation, a failure of the API or the proxy a broken probe (never a
 * "no"), and an API server that is gone or refuses the verifier (401/403),
 * or an agent that refuses the probe token, ends the run ({@link agentAccessError}).
 * The requests themselves go in batches (probe/agent-batch.ts).
 * @see https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import type * as k8s from "@kubernetes/client-node";
import { KubeApiError } from "../errors";
import { accessError } from "../kube/access";
import type { KubeGetResult } from "../kube/request";
import type { ProbeAgentInfo } from "../model";
import type { Attempt, FailureKind, Observation } from "../types";
import { parseIdentity } from "./identity";
import { PROBE_TOKEN_HEADER, PROBE_TOKEN_SECRET } from "./token";

/** The agent's `/dial` accepts 50–10000 ms per attempt and 1–100 attempts. */
export const AGENT_TIMEOUT = { min: 50, max: 10000 } as const;
export const AGENT_COUNT = { min: 1, max: 100 } as const;
/** Allowance for the API server and the proxy hop on top of the agent's own attempts. */
export const PROXY_OVERHEAD_MS = 2000;

const FAILURE_KINDS: ReadonlySet<string> = new Set(["refused", "timeout", "dns", "reset", "unreachable", "http-status", "other"]);

/** Rounds `value` into what the agent accepts. */
export function clamp(value: number, range: { readonly min: number; readonly max: number }): number {
  return Math.min(range.max, Math.max(range.min, Math.round(value)));
}

/** `probe agent <ns>/<pod> on <node>`: how messages name an agent. */
export function agentName(namespace: string, agent: ProbeAgentInfo): string {
  return `probe agent ${namespace}/${agent.pod} on ${agent.nodeName}`;
}

/** The pods-proxy path of an agent endpoint. */
export function agentPath(namespace: string, agent: ProbeAgentInfo, endpoint: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(agent.pod)}:${agent.port}/proxy/${endpoint}`;
}

/** An agent's own 401 (its body names the token header), as opposed to the API server's. */
function refusedToken(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: { header?: unknown; message?: unknown } }).error;
    return error?.header === PROBE_TOKEN_HEADER ? String(error.message ?? "") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error that ends the run when `result` shows the verifier cannot use the
 * agent at all: the agent refused the probe token, or the API server is gone
 * or refuses the verifier (401/403). `undefined` otherwise.
 */
export function agentAccessError(kc: k8s.KubeConfig, namespace: string, agent: ProbeAgentInfo, token: string | undefined, result: KubeGetResult): KubeApiError | undefined {
  const where = agentName(namespace, agent);
  const refusal = result.kind === "response" && result.status === 401 ? refusedToken(result.body) : undefined;
  if (refusal !== undefined) {
    const sent =
      token === undefined
        ? `no token was sent, as Secret ${namespace}/${PROBE_TOKEN_SECRET} does not exist`
        : `the token of Secret ${namespace}/${PROBE_TOKEN_SECRET} was sent; if the Secret changed in the last minute or two, the kubelet may not have updated the agent's copy yet: run again`;
    return new KubeApiError(`use ${where}`, 401, `the agent refused the probe token (${refusal}): ${sent}`);
  }
  return accessError(`use the pods proxy of ${where}`, kc.getCurrentCluster()?.server ?? "the API server", result);
}

/**
 * A request to the agent that got no usable answer, as the broken observation
 * of every probe it carried: a slow or dropped hop is transient (a retry may
 * get through), any other status is not (a 503 from the proxy: the agent is
 * not there).
 */
export function brokenRequest(namespace: string, agent: ProbeAgentInfo, result: KubeGetResult): Observation {
  const where = agentName(namespace, agent);
  if (result.kind === "failure") return { kind: "broken", message: `${where}: API server request failed (${result.error}): ${result.message}`, transient: true };
  return { kind: "broken", message: `${where}: pods proxy answered HTTP ${result.status}: ${result.body.slice(0, 200).replace(/\s+/g, " ")}` };
}

/** What the agent's answer for one dial says: its attempts, or a broken probe when it is not a well-formed answer. */
export function dialObservation(namespace: string, agent: ProbeAgentInfo, body: Record<string, unknown>): Observation {
  const raw = body.attempts;
  if (!Array.isArray(raw)) return { kind: "broken", message: `probe agent ${namespace}/${agent.pod}: /dial answer has no attempts` };
  const attempts = raw.map(toAttempt);
  // A garbled attempt must not read as "no answer" and pass an expected "no": the probe could not run.
  const bad = raw.findIndex((_, i) => attempts[i] === undefined);
  if (bad >= 0) {
    return { kind: "broken", message: `probe agent ${namespace}/${agent.pod}: /dial attempt ${bad + 1} is malformed: ${JSON.stringify(raw[bad]).slice(0, 120)}` };
  }
  return { kind: "http", attempts: attempts as Attempt[] };
}

/** One `/dial` attempt, or `undefined` when it is not one: `ok` must be a boolean, and a failure must name its kind. */
function toAttempt(raw: unknown): Attempt | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const a = raw as Record<string, unknown>;
  if (typeof a.ok !== "boolean") return undefined;
  if (!a.ok && !(typeof a.error === "string" && FAILURE_KINDS.has(a.error))) return undefined;
  const error = a.ok ? null : (a.error as FailureKind);
  return {
    ok: a.ok === true,
    status: typeof a.status === "number" ? a.status : null,
    identity: parseIdentity(a.identity),
    error,
    ...(typeof a.message === "string" ? { message: a.message } : {}),
    latencyMs: typeof a.latencyMs === "number" ? a.latencyMs : 0,
  };
}

/** What the agent's answer for one lookup says: the records, or the error word. */
export function resolveObservation(body: Record<string, unknown>): Observation {
  if (body.ok === true && Array.isArray(body.records)) {
    return { kind: "dns", ok: true, records: body.records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))) };
  }
  return { kind: "dns", ok: false, error: typeof body.error === "string" ? body.error : "other" };
}
