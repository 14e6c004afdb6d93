import type { LookupFunction } from "node:net";
import { attemptGet, type AttemptResult } from "./http-attempt";
import { BadParameter, integerParameter, type IntegerRule } from "./params";

/** `count`: how many sequential attempts; 1–100, default 1. */
export const COUNT_RULE: IntegerRule = { fallback: 1, min: 1, max: 100 };
/** `timeoutMs`: the limit for each attempt as a whole; 50–10000, default 1500. */
export const TIMEOUT_RULE: IntegerRule = { fallback: 1500, min: 50, max: 10_000 };

/** A validated `GET /dial` request. */
export interface DialRequest {
  readonly target: URL;
  readonly count: number;
  readonly timeoutMs: number;
}

/** The body of a `/dial` answer (docs/CONTRACTS.md). */
export interface DialReport {
  readonly target: string;
  readonly count: number;
  readonly timeoutMs: number;
  readonly attempts: readonly AttemptResult[];
}

const TARGET_ALLOWED = "allowed: an absolute http:// or https:// URL, e.g. http://backend.svclab.svc.cluster.local/";

/**
 * Validates `/dial`'s query: `target` (required http(s) URL), `count`, `timeoutMs`.
 * @throws BadParameter naming the parameter and what is allowed.
 */
export function parseDialQuery(query: URLSearchParams): DialRequest {
  const raw = query.get("target");
  if (raw === null || raw.trim() === "") {
    throw new BadParameter("target", `target is missing; ${TARGET_ALLOWED}`);
  }
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new BadParameter("target", `target "${raw}" is not a URL; ${TARGET_ALLOWED}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new BadParameter("target", `target has the scheme "${target.protocol.replace(/:$/, "")}"; ${TARGET_ALLOWED}`);
  }
  return {
    target,
    count: integerParameter(query, "count", COUNT_RULE),
    timeoutMs: integerParameter(query, "timeoutMs", TIMEOUT_RULE),
  };
}

/**
 * Makes `count` attempts one after another, each bounded by `timeoutMs`, so the
 * whole dial takes at most `count × timeoutMs`. Attempts are sequential so that
 * N attempts are N separate connections a Service can spread, not a burst.
 * Stops early (remaining attempts are not made) when `signal` aborts.
 *
 * @param lookup resolves the target's host name; default: the system resolver (see `attemptGet`).
 */
export async function dial(request: DialRequest, signal?: AbortSignal, lookup?: LookupFunction): Promise<DialReport> {
  const attempts: AttemptResult[] = [];
  for (let index = 0; index < request.count && signal?.aborted !== true; index += 1) {
    attempts.push(await attemptGet(request.target, request.timeoutMs, signal, lookup));
  }
  return { target: request.target.toString(), count: request.count, timeoutMs: request.timeoutMs, attempts };
}
