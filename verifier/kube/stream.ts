/**
 * A POST against the API server whose `200` answer is read as a stream of
 * lines (NDJSON), each handed on as it arrives: how a probe agent's batch
 * comes back through the pods proxy. Same TLS, credentials and path handling
 * as {@link kubeGet}.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as k8s from "@kubernetes/client-node";
import { classifyError } from "../probe/classify";
import type { FailureKind } from "../types";
import type { KubeGetResult } from "./request";

/** The outcome of one streamed request. Never thrown. */
export type KubeStreamResult =
  /** Any status but 200 (with its body), or no answer at all. */
  | KubeGetResult
  /** A 200 whose lines went to `onLine`; `cut` when the stream broke or ran out of time before its end. */
  | { readonly kind: "streamed"; readonly cut?: { readonly error: FailureKind; readonly message: string } };

/** Bodies of refusals are cut off here; the stream itself is read line by line, each line at most this long. */
const MAX_BYTES = 1024 * 1024;

/**
 * POSTs `body` (JSON) to `path` on the current context's server.
 * @param timeoutMs bound on the whole request, stream included
 * @param onLine called with each complete, non-empty line of a 200 answer, in order
 */
export async function kubePostLines(
  kc: k8s.KubeConfig,
  path: string,
  body: string,
  timeoutMs: number,
  headers: Readonly<Record<string, string>>,
  onLine: (line: string) => void,
): Promise<KubeStreamResult> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) return { kind: "failure", error: "other", message: "the kubeconfig context names no cluster" };
  const url = new URL(server);
  // A server URL may carry a path prefix (e.g. Rancher's /k8s/clusters/<id>).
  url.pathname = url.pathname.replace(/\/$/, "") + path;
  const options: https.RequestOptions = {
    method: "POST",
    headers: { ...headers, Accept: "application/x-ndjson, application/json", "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
  };
  try {
    await kc.applyToHTTPSOptions(options);
  } catch (err) {
    return { kind: "failure", error: "other", message: `kubeconfig credentials: ${(err as Error).message}` };
  }
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<KubeStreamResult>((resolve) => {
    let settled = false;
    let streaming = false;
    const finish = (result: KubeStreamResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const fail = (error: FailureKind, message: string): void =>
      finish(streaming ? { kind: "streamed", cut: { error, message } } : { kind: "failure", error, message });
    const req = transport.request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      res.on("error", (err) => fail(classifyError(err).error, classifyError(err).message));
      if (status !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BYTES) chunks.push(chunk);
        });
        res.on("end", () => finish({ kind: "response", status, body: Buffer.concat(chunks).toString("utf8") }));
        return;
      }
      streaming = true;
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        pending += chunk;
        let end = pending.indexOf("\n");
        while (end >= 0 && !settled) {
          const line = pending.slice(0, end).trim();
          pending = pending.slice(end + 1);
          if (line !== "") onLine(line);
          end = pending.indexOf("\n");
        }
        if (pending.length > MAX_BYTES) fail("other", `a line of the answer is longer than ${MAX_BYTES} bytes`);
      });
      res.on("end", () => {
        // A last line without its newline still counts; whether the stream was complete is the caller's to judge.
        if (pending.trim() !== "") onLine(pending.trim());
        finish({ kind: "streamed" });
      });
      // The connection closing before `end` is a cut stream (a truncated chunked body).
      res.on("close", () => {
        if (!res.complete) fail("reset", "the answer stream was cut off before its end");
      });
    });
    const timer = setTimeout(() => fail("timeout", `no complete answer from the API server within ${timeoutMs} ms`), timeoutMs);
    req.on("error", (err) => fail(classifyError(err).error, classifyError(err).message));
    req.end(body);
  });
}
