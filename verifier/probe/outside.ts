/**
 * The outside vantage: requests sent directly from the machine running the
 * verifier. An unreachable target is a result, not an exception.
 */
import * as http from "node:http";
import { promises as dns } from "node:dns";
import type { Attempt, Observation } from "../types";
import { classifyError } from "./classify";
import { parseIdentity } from "./identity";

const MAX_BODY_BYTES = 256 * 1024;

/**
 * One HTTP GET of `url`, bounded by `timeoutMs` from start to last byte.
 * Resolves `{ ok: false, error }` on any failure; the socket is always
 * destroyed and the timer cleared.
 */
export function httpAttempt(url: string, timeoutMs: number): Promise<Attempt> {
  const started = performance.now();
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const finish = (result: Omit<Attempt, "latencyMs">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    // agent: false — a fresh connection per attempt, so spreading is real and nothing lingers.
    const req = http.get(url, { agent: false, headers: { Accept: "application/json" } }, (res) => {
      const status = res.statusCode ?? 0;
      // What the pod should report as its client when nothing rewrote the source.
      const sourceAddress = res.socket.localAddress;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      res.on("end", () => {
        const ok = status >= 200 && status < 300;
        finish({
          ok,
          status,
          identity: parseIdentity(Buffer.concat(chunks).toString("utf8")),
          error: ok ? null : "http-status",
          ...(ok ? {} : { message: `HTTP ${status}` }),
          ...(sourceAddress !== undefined ? { sourceAddress } : {}),
        });
      });
      res.on("error", (err) => finish({ ok: false, status, identity: null, ...classifyError(err) }));
    });
    const timer = setTimeout(() => finish({ ok: false, status: null, identity: null, error: "timeout", message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on("error", (err) => finish({ ok: false, status: null, identity: null, ...classifyError(err) }));
  });
}

/** `count` sequential attempts, as the probe agent's `/dial` does them. */
export async function httpAttempts(url: string, count: number, timeoutMs: number): Promise<Observation> {
  const attempts: Attempt[] = [];
  for (let i = 0; i < count; i++) attempts.push(await httpAttempt(url, timeoutMs));
  return { kind: "http", attempts };
}

/** c-ares error codes → the words the reports use. */
const DNS_ERRORS: Readonly<Record<string, string>> = {
  ENOTFOUND: "nxdomain",
  ENODATA: "nodata",
  ETIMEOUT: "timeout",
  ECONNREFUSED: "refused",
  ESERVFAIL: "servfail",
  EREFUSED: "refused-by-server",
  ECANCELLED: "timeout",
};

/**
 * Resolves `name` (A records) with this machine's DNS servers, bounded by
 * `timeoutMs`. Uses the resolver library directly rather than getaddrinfo so
 * the lookup can be bounded and cancelled.
 */
export async function resolveHere(name: string, timeoutMs: number): Promise<Observation> {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    const records = await resolver.resolve4(name);
    return { kind: "dns", ok: true, records };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    return { kind: "dns", ok: false, error: DNS_ERRORS[code] ?? "other" };
  } finally {
    resolver.cancel();
  }
}
