/**
 * Shared helpers for the demo workload's tests: every server binds 127.0.0.1
 * on port 0 and every client talks to 127.0.0.1 only.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../apps/src/config";
import { PROBE_TOKEN_HEADER } from "../../apps/src/probe-token";
import { startApp, type RunningApp } from "../../apps/src/server";

export const LOOPBACK = "127.0.0.1";

/** An HTTP answer as a test sees it. */
export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = any>(): T;
}

/** One request on a fresh connection (no agent, so no socket outlives the test). */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: LOOPBACK, port, path, method: options.method ?? "GET", headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** Closes everything a test opened, newest first. */
export class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/**
 * Starts the workload on 127.0.0.1:0 with the given environment; closed by `cleanup`.
 * @param dnsServers DNS servers on loopback (see `startFakeDns`) for `/dial` and `/resolve`;
 *   default: the system resolver, which tests must not reach for anything but IP literals and localhost.
 */
export async function startTestApp(cleanup: Cleanup, env: NodeJS.ProcessEnv, dnsServers?: readonly string[]): Promise<RunningApp> {
  const app = await startApp(loadConfig(env), { host: LOOPBACK, port: 0, dnsServers });
  cleanup.add(() => app.close(1000));
  return app;
}

/** A probe token in a file of its own, as the kit mounts it; removed by `cleanup`. */
export interface TokenFile {
  readonly token: string;
  readonly file: string;
}

export function writeTokenFile(cleanup: Cleanup, token = randomBytes(32).toString("base64url")): TokenFile {
  const dir = mkdtempSync(path.join(tmpdir(), "svclab-test-token-"));
  const file = path.join(dir, "token");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  cleanup.add(async () => rmSync(dir, { recursive: true, force: true }));
  return { token, file };
}

/** A probe agent as the kit runs it (ROLE=probe with its token file), and requests that carry the token. */
export interface TestProbe extends RunningApp {
  readonly token: TokenFile;
  /** {@link request} to this agent with the token in its header. */
  request(path: string, options?: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string }): Promise<Answer>;
}

/**
 * Starts `ROLE=probe` on 127.0.0.1:0 with a fresh token file (`env` adds to or
 * overrides that); closed by `cleanup`. See {@link startTestApp} for `dnsServers`.
 */
export async function startTestProbe(cleanup: Cleanup, env: NodeJS.ProcessEnv = {}, dnsServers?: readonly string[]): Promise<TestProbe> {
  const token = writeTokenFile(cleanup);
  const app = await startTestApp(cleanup, { ROLE: "probe", PROBE_TOKEN_FILE: token.file, ...env }, dnsServers);
  return {
    ...app,
    token,
    request: (target, options = {}) =>
      request(app.port, target, { ...options, headers: { [PROBE_TOKEN_HEADER]: token.token, ...options.headers } }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP listener that accepts connections and never answers; `connected` resolves on the first connection. */
export interface SilentListener {
  readonly port: number;
  readonly connected: Promise<void>;
}

export async function silentListener(cleanup: Cleanup): Promise<SilentListener> {
  const sockets = new Set<net.Socket>();
  let markConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    markConnected();
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  cleanup.add(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, connected };
}

/** An HTTP server on 127.0.0.1:0 with one fixed handler; closed by `cleanup`. */
export async function fixedServer(cleanup: Cleanup, handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  cleanup.add(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as net.AddressInfo).port;
}

/** Resolves `"connected"` or the error code a TCP connect to 127.0.0.1:`port` ends with. */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
