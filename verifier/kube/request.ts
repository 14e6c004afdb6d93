/**
 * A raw GET against the API server with the kubeconfig's TLS and credentials
 * (client certificates, bearer tokens, exec plugins), for the proxy
 * subresources whose bodies are the proxied pod's, not Kubernetes objects.
 * Works for `https://` and plain `http://` servers.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as k8s from "@kubernetes/client-node";
import { classifyError } from "../probe/classify";
import type { FailureKind } from "../types";

/** The outcome of one API request. Never thrown. */
export type KubeGetResult =
  | { readonly kind: "response"; readonly status: number; readonly body: string }
  | { readonly kind: "failure"; readonly error: FailureKind; readonly message: string };

/** Bodies above this are cut off: identities and dial results are small. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * GETs `path` (with query) from the current context's server.
 * @param timeoutMs bound on the whole request, connect included
 * @param headers extra request headers (the API server's proxy passes them on to the pod)
 */
export async function kubeGet(kc: k8s.KubeConfig, path: string, timeoutMs: number, headers: Readonly<Record<string, string>> = {}): Promise<KubeGetResult> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) return { kind: "failure", error: "other", message: "the kubeconfig context names no cluster" };
  const url = new URL(server);
  // A server URL may carry a path prefix (e.g. Rancher's /k8s/clusters/<id>).
  url.pathname = url.pathname.replace(/\/$/, "") + path.slice(0, path.includes("?") ? path.indexOf("?") : undefined);
  url.search = path.includes("?") ? path.slice(path.indexOf("?")) : "";

  const options: https.RequestOptions = { method: "GET", headers: { ...headers, Accept: "application/json" } };
  try {
    await kc.applyToHTTPSOptions(options);
  } catch (err) {
    return { kind: "failure", error: "other", message: `kubeconfig credentials: ${(err as Error).message}` };
  }
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<KubeGetResult>((resolve) => {
    let settled = false;
    const finish = (result: KubeGetResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      res.on("end", () => finish({ kind: "response", status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (err) => finish({ kind: "failure", ...classifyError(err) }));
    });
    const timer = setTimeout(
      () => finish({ kind: "failure", error: "timeout", message: `no answer from the API server within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on("error", (err) => finish({ kind: "failure", ...classifyError(err) }));
    req.end();
  });
}
