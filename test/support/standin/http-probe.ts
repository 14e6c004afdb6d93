/**
 * A bounded GET for tests: what a client on the host sees at an address.
 * Never rejects; an unreachable target is a result (`error` = the socket error code or `TIMEOUT`).
 */
import * as http from "node:http";

export interface HttpProbeResult {
  readonly status?: number;
  readonly body?: any;
  readonly error?: string;
}

/** GETs `url` on a fresh connection, giving up after `timeoutMs`; the body is parsed as JSON when it is JSON. */
export function httpProbe(url: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<HttpProbeResult> {
  // Generous by default: an answer must not be missed on a loaded machine; expected silences pass their own short limit.
  const timeoutMs = options.timeoutMs ?? 10000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HttpProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = http.get(url, { agent: false, headers: { accept: "application/json", ...(options.headers ?? {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        finish({ status: response.statusCode, body });
      });
      response.on("error", (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
    });
    request.on("error", (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
    const timer = setTimeout(() => finish({ error: "TIMEOUT" }), timeoutMs);
  });
}
