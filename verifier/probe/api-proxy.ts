/**
 * The api-proxy vantage: a GET through the API server's service proxy, as
 * `kubectl proxy` exposes it at `/api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/`.
 * An answer with an error status is an observation (the proxy could not
 * reach a pod); no answer from the API server, or 401/403, is a broken probe.
 * @see https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import type * as k8s from "@kubernetes/client-node";
import { kubeGet } from "../kube/request";
import type { Observation } from "../types";
import { parseIdentity } from "./identity";

/** Statuses that say the verifier may not use the proxy, not that the Service is unreachable. */
const NOT_ALLOWED = new Set([401, 403]);

/** GETs `path` (an API service-proxy path) once, bounded by `timeoutMs`. */
export async function getViaApiProxy(kc: k8s.KubeConfig, path: string, timeoutMs: number): Promise<Observation> {
  const started = performance.now();
  const result = await kubeGet(kc, path, timeoutMs);
  const latencyMs = Math.round(performance.now() - started);
  if (result.kind === "failure") return { kind: "broken", message: `API server request failed (${result.error}): ${result.message}` };
  if (NOT_ALLOWED.has(result.status)) {
    return { kind: "broken", message: `API server refused the service proxy request with HTTP ${result.status}: ${result.body.slice(0, 200).replace(/\s+/g, " ")}` };
  }
  const ok = result.status >= 200 && result.status < 300;
  return {
    kind: "http",
    attempts: [
      {
        ok,
        status: result.status,
        identity: parseIdentity(result.body),
        error: ok ? null : "http-status",
        ...(ok ? {} : { message: `HTTP ${result.status}: ${result.body.slice(0, 200).replace(/\s+/g, " ")}` }),
        latencyMs,
      },
    ],
  };
}
