/**
 * A loopback HTTP server playing the API server for the probe modules' unit
 * tests: each test sets how it answers; the kubeconfig points at it.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

/** How the fake answers a request; `body` is the request body as text (empty for a GET). */
export type Answer = (url: URL, res: http.ServerResponse, body: string) => void;

export interface LoopbackApi {
  readonly kc: KubeConfig;
  readonly server: string;
  /** Paths (with query) asked for, in order. */
  readonly seen: URL[];
  /** The method of each request in `seen`, in the same order. */
  readonly methods: string[];
  answer(handler: Answer): void;
  /** Stops listening: later requests are refused. */
  close(): Promise<void>;
}

/** JSON with a status. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
}

export async function startLoopbackApi(): Promise<LoopbackApi> {
  let handler: Answer = (_url, res) => json(res, 404, {});
  const seen: URL[] = [];
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://api");
    seen.push(url);
    methods.push(req.method ?? "GET");
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => handler(url, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: address, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "lab", cluster: "c", user: "u" }],
    currentContext: "lab",
  });
  return {
    kc,
    server: address,
    seen,
    methods,
    answer: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
