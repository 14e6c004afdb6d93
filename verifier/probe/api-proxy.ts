/**
 * The api-proxy vantage: a GET through the API server's service proxy, as
 * `kubectl proxy` exposes it at `/api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/`.
 * An answer with an error status is an observation (the proxy could not
 * reach a pod); a slow API server is a broken probe; an API server that is
 * gone or answers 401/403 ends the run ({@link accessError}).
 * @see https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import type * as k8s from "@kubernetes/client-node";
import { accessError } from "../kube/access";
import { kubeGet } from "../kube/request";
import type { Observation } from "../types";
import { parseIdentity } from "./identity";

/**
 * GETs `path` (an API service-proxy path) once, bounded by `timeoutMs`.
 * @throws KubeApiError when the API server is gone or refuses the verifier (401/403)
 */
export async function getViaApiProxy(kc: k8s.KubeConfig, path: string, timeoutMs: number): Promise<Observation> {
  const started = performance.now();
  const result = await kubeGet(kc, path, timeoutMs);
  const latencyMs = Math.round(performance.now() - started);
  const denied = accessError(`GET ${path} (the services proxy)`, kc.getCurrentCluster()?.server ?? "the API server", result);
  if (denied !== undefined) throw denied;
  if (result.kind === "failure") {
    // A slow or dropped hop says nothing about the Service; it may answer on a retry.
    return { kind: "broken", message: `API server request failed (${result.error}): ${result.message}`, transient: true };
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
