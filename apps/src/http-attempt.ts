import * as http from "node:http";
import * as https from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import { isIdentity, type Identity } from "./identity";

/** Why an attempt did not get a usable answer (docs/CONTRACTS.md, `/dial`). */
export type FailureKind = "refused" | "timeout" | "dns" | "reset" | "unreachable" | "http-status" | "other";

/** One bounded GET: what a probe or the frontend learned from a single connection. */
export interface AttemptResult {
  /** True when an HTTP answer with a status below 400 arrived completely within the time limit. */
  readonly ok: boolean;
  /** The HTTP status, or `null` when no answer arrived. */
  readonly status: number | null;
  /** The parsed body when it is a workload identity, else `null`. */
  readonly identity: Identity | null;
  /** From sending the request to the end of the answer (or the failure), in milliseconds. */
  readonly latencyMs: number;
  /** `null` on success, else the kind of failure. */
  readonly error: FailureKind | null;
  /** `null` on success, else what happened, for a person to read. */
  readonly message: string | null;
}

/** The most body bytes an attempt reads; an identity is well under 1 KiB, so more means "not a workload". */
export const MAX_BODY_BYTES = 64 * 1024;

/** System error codes and the failure kind each one means. */
const KIND_BY_CODE: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NONAME: "dns",
  EAI_NODATA: "dns",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  ENETDOWN: "unreachable",
};

type Outcome = Omit<AttemptResult, "latencyMs">;

/**
 * Sends one GET to `target` on a fresh connection and never waits longer than
 * `timeoutMs` in total (DNS, connect, TLS, headers and body together).
 * Never rejects: every failure is a result.
 *
 * A fresh connection per attempt (no keep-alive agent) is deliberate: a reused
 * connection stays pinned to the pod kube-proxy chose first, which would hide
 * how a Service spreads new connections.
 *
 * @param lookup resolves the target's host name instead of the system resolver
 *   (see `lookupVia`); default: Node's own `dns.lookup` (getaddrinfo).
 */
export function attemptGet(target: URL, timeoutMs: number, signal?: AbortSignal, lookup?: LookupFunction): Promise<AttemptResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      request.destroy();
      resolve({ ...outcome, latencyMs: Math.round((performance.now() - started) * 10) / 10 });
    };
    const onAbort = (): void => finish(failure("other", "cancelled: the caller went away"));

    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      {
        method: "GET",
        agent: false,
        // Only set when given: an explicit `lookup: undefined` is not the same as leaving it out.
        ...(lookup === undefined ? {} : { lookup }),
        headers: { accept: "application/json", connection: "close", "user-agent": "svclab-demo" },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BODY_BYTES) {
            finish({
              ok: false,
              status,
              identity: null,
              error: "other",
              message: `the answer's body is larger than ${MAX_BODY_BYTES} bytes; stopped reading`,
            });
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => finish(answered(status, Buffer.concat(chunks).toString("utf8"))));
        response.on("error", (error) => finish(fromError(error)));
      },
    );
    request.on("error", (error) => finish(fromError(error)));
    const timer = setTimeout(
      () => finish(failure("timeout", `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    request.end();
  });
}

function answered(status: number, body: string): Outcome {
  const identity = parseIdentity(body);
  if (status >= 400) {
    return { ok: false, status, identity, error: "http-status", message: `the answer was HTTP ${status}` };
  }
  return { ok: true, status, identity, error: null, message: null };
}

function parseIdentity(body: string): Identity | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return isIdentity(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function failure(kind: FailureKind, message: string): Outcome {
  return { ok: false, status: null, identity: null, error: kind, message };
}

/** Maps a socket/DNS/TLS error to its kind; unknown codes (e.g. certificate errors) are `other`. */
export function classifyError(error: Error & { code?: string }): FailureKind {
  return (error.code === undefined ? undefined : KIND_BY_CODE[error.code]) ?? "other";
}

function fromError(error: Error & { code?: string }): Outcome {
  return failure(classifyError(error), error.message);
}
