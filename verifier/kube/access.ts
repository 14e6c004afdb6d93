/**
 * Which failures of an API request are failures of the verifier's own access
 * (the API server gone, refusing, or refusing *us*), as opposed to an
 * observation about the cluster. Such a failure ends the run at once (exit 2,
 * one line): every later probe would fail the same way, and retrying it
 * until the deadline only buries the cause under rows of errors.
 */
import { KubeApiError } from "../errors";
import type { KubeGetResult } from "./request";

/** Connection failures that mean the API server is not there (as opposed to slow). */
const SERVER_GONE: ReadonlySet<string> = new Set(["refused", "unreachable", "dns"]);

/** Statuses with which the API server (or the agent behind it) refuses the verifier's credentials. */
const NOT_ALLOWED: ReadonlySet<number> = new Set([401, 403]);

/**
 * The error that ends the run when `result` is a failure of the verifier's own
 * access; `undefined` when it is an observation (an answer, a slow hop, a 503
 * from the proxy).
 * @param what the request in words, e.g. `use the services proxy of svclab/backend`
 * @param server the API server URL, named in the message
 */
export function accessError(what: string, server: string, result: KubeGetResult): KubeApiError | undefined {
  if (result.kind === "failure") {
    if (result.error === "other" && result.message.startsWith("kubeconfig credentials:")) return new KubeApiError(what, undefined, result.message);
    return SERVER_GONE.has(result.error) ? new KubeApiError(what, undefined, `${server} is gone (${result.error}: ${result.message})`) : undefined;
  }
  if (!NOT_ALLOWED.has(result.status)) return undefined;
  const hint = result.status === 401 ? "Unauthorized (check the kubeconfig credentials)" : "Forbidden (the kubeconfig user lacks permission)";
  return new KubeApiError(what, result.status, `${hint}: ${statusMessage(result.body)}`);
}

/** The `message` of a Kubernetes Status body, else the body's start on one line. */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string" && parsed.message !== "") return parsed.message.split("\n")[0] ?? "";
  } catch {
    // not JSON: fall through
  }
  return body.slice(0, 200).replace(/\s+/g, " ").trim();
}
