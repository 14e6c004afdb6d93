import { attemptGet } from "./http-attempt";
import type { BackendAnswer } from "./identity";
import { BadParameter } from "./params";

/** How long the frontend waits for the backend; short, so a dead backend still gives a quick page. */
export const BACKEND_TIMEOUT_MS = 1000;

/**
 * Asks the backend for its identity. Never rejects: when the backend cannot be
 * reached or answers with something else, the result is
 * `{ error: { kind, message } }` with the same kinds as `/dial`.
 */
export async function callBackend(backendUrl: string, timeoutMs = BACKEND_TIMEOUT_MS): Promise<BackendAnswer> {
  const result = await attemptGet(new URL(backendUrl), timeoutMs);
  if (result.ok && result.identity !== null) return result.identity;
  if (result.ok) {
    return {
      error: {
        kind: "other",
        message: `${backendUrl} answered HTTP ${result.status} but not with a workload identity`,
      },
    };
  }
  return { error: { kind: result.error ?? "other", message: `${backendUrl}: ${result.message ?? "no answer"}` } };
}

/**
 * Whether `GET /` should call the backend: `?backend=call` (the default) or
 * `?backend=skip`. The verifier asks with `skip`: it judges which pod
 * answered, so a backend call per probe would only double the traffic and
 * make a frontend's answer wait on the backend's health.
 * @throws BadParameter naming `backend`, the bad value and what is allowed
 */
export function callsBackend(query: URLSearchParams): boolean {
  const raw = query.get("backend");
  if (raw === null || raw === "call") return true;
  if (raw === "skip") return false;
  throw new BadParameter("backend", `backend is "${raw}"; allowed: call (the default: a frontend includes its backend's answer) or skip (this pod's identity only)`);
}
