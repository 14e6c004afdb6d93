/**
 * The pod vantage: the probe agent on a node dials or resolves on the
 * verifier's behalf, reached through the API server's pods proxy
 * (`/api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/...`). A failure of the
 * API or the proxy is a broken probe, never a "no"; an API server that is
 * gone or refuses the verifier (401/403) ends the run ({@link accessError}).
 * @see https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import type * as k8s from "@kubernetes/client-node";
import { KubeApiError } from "../errors";
import { accessError } from "../kube/access";
import { kubeGet } from "../kube/request";
import type { ProbeAgentInfo } from "../model";
import type { Attempt, FailureKind, Observation } from "../types";
import { parseIdentity } from "./identity";
import { PROBE_TOKEN_HEADER, PROBE_TOKEN_SECRET } from "./token";

/** The agent's `/dial` accepts 50–10000 ms per attempt and 1–100 attempts. */
const AGENT_TIMEOUT = { min: 50, max: 10000 } as const;
const AGENT_COUNT = { min: 1, max: 100 } as const;
/** Allowance for the API server and the proxy hop on top of the agent's own attempts. */
const PROXY_OVERHEAD_MS = 2000;

const FAILURE_KINDS: ReadonlySet<string> = new Set(["refused", "timeout", "dns", "reset", "unreachable", "http-status", "other"]);

function clamp(value: number, range: { readonly min: number; readonly max: number }): number {
  return Math.min(range.max, Math.max(range.min, Math.round(value)));
}

function agentPath(namespace: string, agent: ProbeAgentInfo, endpoint: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(agent.pod)}:${agent.port}/proxy/${endpoint}?${search}`;
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
 * GETs an agent endpoint, with the probe token when there is one; a non-200
 * or unreadable answer is a broken probe.
 * @throws KubeApiError when the API server is gone or refuses the verifier
 *   (401/403), or the agent refuses the probe token: every pod probe would fail alike
 */
async function askAgent(
  kc: k8s.KubeConfig,
  namespace: string,
  agent: ProbeAgentInfo,
  endpoint: string,
  query: Record<string, string>,
  requestTimeoutMs: number,
  token: string | undefined,
): Promise<{ body: Record<string, unknown> } | { broken: string; transient?: true }> {
  const where = `probe agent ${namespace}/${agent.pod} on ${agent.nodeName}`;
  const headers: Record<string, string> = token === undefined ? {} : { [PROBE_TOKEN_HEADER]: token };
  const result = await kubeGet(kc, agentPath(namespace, agent, endpoint, query), requestTimeoutMs, headers);
  const refusal = result.kind === "response" && result.status === 401 ? refusedToken(result.body) : undefined;
  if (refusal !== undefined) {
    const sent =
      token === undefined
        ? `no token was sent, as Secret ${namespace}/${PROBE_TOKEN_SECRET} does not exist`
        : `the token of Secret ${namespace}/${PROBE_TOKEN_SECRET} was sent; if the Secret changed in the last minute or two, the kubelet may not have updated the agent's copy yet: run again`;
    throw new KubeApiError(`use ${where}`, 401, `the agent refused the probe token (${refusal}): ${sent}`);
  }
  const denied = accessError(`use the pods proxy of ${where}`, kc.getCurrentCluster()?.server ?? "the API server", result);
  if (denied !== undefined) throw denied;
  // A slow or dropped hop says nothing about the target; it may answer on a retry.
  if (result.kind === "failure") return { broken: `${where}: API server request failed (${result.error}): ${result.message}`, transient: true };
  if (result.status !== 200) {
    return { broken: `${where}: pods proxy answered HTTP ${result.status}: ${result.body.slice(0, 200).replace(/\s+/g, " ")}` };
  }
  try {
    const body: unknown = JSON.parse(result.body);
    if (typeof body === "object" && body !== null) return { body: body as Record<string, unknown> };
  } catch {
    // fall through: not JSON
  }
  return { broken: `${where}: /${endpoint} did not answer JSON` };
}

/**
 * Asks the agent to GET `url` `count` times (sequentially), each attempt
 * bounded by `timeoutMs`.
 */
export async function dialFromPod(
  kc: k8s.KubeConfig,
  namespace: string,
  agent: ProbeAgentInfo,
  url: string,
  count: number,
  timeoutMs: number,
  token?: string,
): Promise<Observation> {
  const n = clamp(count, AGENT_COUNT);
  const t = clamp(timeoutMs, AGENT_TIMEOUT);
  const answer = await askAgent(kc, namespace, agent, "dial", { target: url, count: String(n), timeoutMs: String(t) }, n * t + PROXY_OVERHEAD_MS, token);
  if ("broken" in answer) return { kind: "broken", message: answer.broken, ...(answer.transient ? { transient: true } : {}) };
  const raw = answer.body.attempts;
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

/** Asks the agent to resolve `name` with the cluster's DNS. */
export async function resolveFromPod(
  kc: k8s.KubeConfig,
  namespace: string,
  agent: ProbeAgentInfo,
  name: string,
  recordType: "A" | "AAAA" | "CNAME",
  timeoutMs: number,
  token?: string,
): Promise<Observation> {
  const answer = await askAgent(kc, namespace, agent, "resolve", { name, type: recordType }, timeoutMs + PROXY_OVERHEAD_MS, token);
  if ("broken" in answer) return { kind: "broken", message: answer.broken, ...(answer.transient ? { transient: true } : {}) };
  const body = answer.body;
  if (body.ok === true && Array.isArray(body.records)) {
    return { kind: "dns", ok: true, records: body.records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))) };
  }
  return { kind: "dns", ok: false, error: typeof body.error === "string" ? body.error : "other" };
}
