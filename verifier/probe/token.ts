/**
 * The probe token: the per-lab secret a probe agent wants in the
 * {@link PROBE_TOKEN_HEADER} header before it dials or resolves for anyone
 * (docs/CONTRACTS.md, "Probe agents"). The kit keeps it in the Secret
 * {@link PROBE_TOKEN_SECRET}; the verifier reads it through the API with the
 * user's own credentials, so whoever may run the verifier can, and a pod
 * that merely reaches an agent cannot.
 */
import type * as k8s from "@kubernetes/client-node";
import { KubeApiError } from "../errors";
import { kubeGet } from "../kube/request";

/** The Secret holding the token, in the lab's namespace. */
export const PROBE_TOKEN_SECRET = "svclab-probe-token";
/** The key of the token in the Secret's data. */
export const PROBE_TOKEN_KEY = "token";
/** The header the agents read (the same as `apps/src/probe-token.ts`; the verifier imports nothing of the app). */
export const PROBE_TOKEN_HEADER = "x-svclab-probe-token";

/** What the verifier sends the agents. */
export type ProbeToken =
  | { readonly kind: "token"; readonly value: string }
  /** No such Secret: agents made without a token accept requests without one; others will answer 401. */
  | { readonly kind: "none"; readonly note: string };

/** The grant that lets a user read the token, and nothing else, as a command. */
export function grantCommand(namespace: string): string {
  return (
    `kubectl -n ${namespace} create role svclab-probe-token --verb=get --resource=secrets --resource-name=${PROBE_TOKEN_SECRET}` +
    ` && kubectl -n ${namespace} create rolebinding svclab-probe-token --role=svclab-probe-token --user=<you>`
  );
}

/**
 * Reads the token from `<namespace>/svclab-probe-token`.
 * @throws KubeApiError (exit 2) when the API refuses (401/403: saying what to
 *   grant), cannot be reached, or the Secret holds no usable token
 */
export async function readProbeToken(kc: k8s.KubeConfig, namespace: string, timeoutMs: number): Promise<ProbeToken> {
  const what = `read the probe token (Secret ${namespace}/${PROBE_TOKEN_SECRET})`;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${PROBE_TOKEN_SECRET}`;
  const result = await kubeGet(kc, path, timeoutMs);
  if (result.kind === "failure") throw new KubeApiError(what, undefined, result.message);
  if (result.status === 404) {
    return {
      kind: "none",
      note: `no Secret ${namespace}/${PROBE_TOKEN_SECRET}: pod probes were sent without a probe token (agents that require one answer 401)`,
    };
  }
  if (result.status === 403) {
    throw new KubeApiError(
      what,
      403,
      `Forbidden: pod probes need the token the probe agents require; grant get on that one Secret, e.g. ${grantCommand(namespace)}` +
        " (or leave the pod probes out with --skip '/pod:')",
    );
  }
  if (result.status === 401) throw new KubeApiError(what, 401, "Unauthorized (check the kubeconfig credentials)");
  if (result.status !== 200) throw new KubeApiError(what, result.status, result.body.slice(0, 200).replace(/\s+/g, " "));
  const encoded = secretData(result.body)?.[PROBE_TOKEN_KEY];
  const value = typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8").trim() : "";
  if (value === "") throw new KubeApiError(what, undefined, `the Secret has no data key "${PROBE_TOKEN_KEY}" holding a token`);
  return { kind: "token", value };
}

function secretData(body: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: unknown };
    return typeof parsed.data === "object" && parsed.data !== null ? (parsed.data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
