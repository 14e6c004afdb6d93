/**
 * A stand-in probe agent: the test double of the workload's `ROLE=probe`
 * (docs/CONTRACTS.md `/dial`, `/resolve`, `GET /`), living "inside" the
 * emulated cluster. Where the real agent relies on the node's kube-proxy and
 * the cluster DNS, this one asks the world's DataPlane and ClusterDns, then
 * really dials over loopback with the same time limits and failure kinds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../../../apps/src/config";
import { parseDialQuery, type DialReport } from "../../../apps/src/dial";
import { agentSlots, serveDialBatch, type BatchWorkers } from "../../../apps/src/dial-batch";
import { classifyError, MAX_BODY_BYTES, type AttemptResult, type FailureKind } from "../../../apps/src/http-attempt";
import { identityOf, isIdentity } from "../../../apps/src/identity";
import { BadParameter } from "../../../apps/src/params";
import { PROBE_TOKEN_HEADER, refuseWithoutToken } from "../../../apps/src/probe-token";
import { parseResolveQuery, type ResolveReport, type ResolveRequest } from "../../../apps/src/resolve";
import type { ClusterDns } from "./cluster-dns";
import type { PodState } from "./cluster-state";
import type { DataPlane } from "./data-plane";

/** Where the agent's DROP and REJECT emulation sends connections. */
export interface Sinks {
  /** Nothing listens here: connection refused. */
  readonly rejectHost: string;
  /** A silent listener: the attempt ends by timeout. */
  readonly dropHost: string;
  readonly dropPort: number;
}

export interface RunningAgent {
  close(): Promise<void>;
}

/**
 * Starts the agent for `pod` on its wire address, port 3000. Like the real
 * agent with PROBE_TOKEN_FILE, it answers `/dial` and `/resolve` only with
 * `token` in the `x-svclab-probe-token` header (apps/src/probe-token.ts):
 * otherwise 401 and nothing is sent.
 */
export async function startProbeAgent(pod: PodState, namespace: string, plane: DataPlane, dns: ClusterDns, sinks: Sinks, token: string): Promise<RunningAgent> {
  // The real gate reads a file, as the kit mounts the Secret; the stand-in writes one.
  const tokenDir = mkdtempSync(path.join(tmpdir(), "svclab-standin-token-"));
  const tokenFile = path.join(tokenDir, "token");
  writeFileSync(tokenFile, token);
  const config = loadConfig({ ROLE: "probe", PROBE_TOKEN_FILE: tokenFile, POD_NAME: pod.name, POD_NAMESPACE: namespace, NODE_NAME: pod.node, POD_IP: pod.podIP, APP_VERSION: "standin" });
  const startedAt = new Date();
  let served = 0;

  const attempt = (target: URL, timeoutMs: number): Promise<AttemptResult> => {
    // URL keeps the brackets of an IPv6 literal in hostname.
    let ip = target.hostname.replace(/^\[|\]$/g, "");
    if (!net.isIPv4(ip) && !net.isIPv6(ip)) {
      const answer = dns.query(ip, "A", namespace);
      if (!answer.ok) return Promise.resolve(failed("dns", `getaddrinfo ENOTFOUND ${ip}`, 0));
      ip = answer.records[0] as string;
    }
    const port = Number(target.port === "" ? (target.protocol === "https:" ? 443 : 80) : target.port);
    const route = plane.fromPod(pod, ip, port);
    switch (route.kind) {
      case "unroutable":
        return Promise.resolve(failed("unreachable", route.why, 0));
      case "reject":
        return get(target, { host: sinks.rejectHost, port, localAddress: pod.podIP }, timeoutMs);
      case "drop":
        return get(target, { host: sinks.dropHost, port: sinks.dropPort, localAddress: pod.podIP }, timeoutMs);
      default:
        return get(target, { host: route.host, port: route.port, localAddress: route.localAddress }, timeoutMs);
    }
  };

  const resolve = ({ name, type }: ResolveRequest): ResolveReport => {
    const answer = dns.query(name, type, namespace);
    return answer.ok ? { name, type, ok: true, records: answer.records } : { name, type, ok: false, error: answer.error, code: answer.code };
  };
  // POST /dial runs on the app's own batch code (apps/src/dial-batch.ts), with this agent's emulated dial and lookup.
  const slots = agentSlots();
  const workers: BatchWorkers = {
    dial: async ({ target, count, timeoutMs }, signal): Promise<DialReport> => {
      const attempts: AttemptResult[] = [];
      for (let i = 0; i < count && !signal.aborted; i++) attempts.push(await attempt(target, timeoutMs));
      return { target: target.toString(), count, timeoutMs, attempts };
    },
    resolve: async (request) => resolve(request),
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://agent");
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
      response.end(text);
    };
    try {
      if (url.pathname === "/dial" || url.pathname === "/resolve") {
        const refusal = refuseWithoutToken(request, tokenFile);
        if (refusal !== undefined) return send(refusal.status, { error: { header: PROBE_TOKEN_HEADER, message: refusal.message } });
      }
      switch (url.pathname) {
        case "/":
          served += 1;
          return send(200, identityOf(config, request, 3000, served, startedAt));
        case "/healthz":
          return send(200, { ok: true });
        case "/readyz":
          return send(200, { ready: true });
        case "/dial": {
          if (request.method === "POST") return await serveDialBatch(request, response, workers, slots);
          const { target, count, timeoutMs } = parseDialQuery(url.searchParams);
          const attempts: AttemptResult[] = [];
          for (let i = 0; i < count; i++) attempts.push(await attempt(target, timeoutMs));
          return send(200, { target: target.toString(), count, timeoutMs, attempts });
        }
        case "/resolve": {
          return send(200, resolve(parseResolveQuery(url.searchParams)));
        }
        default:
          return send(404, { error: { path: url.pathname, message: "no such path; available: /, /healthz, /readyz, /dial, /resolve" } });
      }
    } catch (error) {
      if (response.headersSent) return void response.destroy();
      if (error instanceof BadParameter) return send(400, { error: { parameter: error.parameter, message: error.message } });
      return send(500, { error: { message: error instanceof Error ? error.message : String(error) } });
    }
  };

  const server = http.createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: pod.wire, port: 3000, exclusive: true }, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => {
        rmSync(tokenDir, { recursive: true, force: true });
        resolve();
      });
      server.closeAllConnections();
    }),
  };
}

function failed(kind: FailureKind, message: string, latencyMs: number): AttemptResult {
  return { ok: false, status: null, identity: null, latencyMs, error: kind, message };
}

/** One bounded GET of `target`'s path sent to `to` (the translated address), like apps/src/http-attempt. */
function get(target: URL, to: { host: string; port: number; localAddress: string }, timeoutMs: number): Promise<AttemptResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...result, latencyMs: Math.round((performance.now() - started) * 10) / 10 });
    };
    const request = http.request({
      host: to.host, port: to.port, localAddress: to.localAddress, method: "GET", agent: false,
      path: `${target.pathname}${target.search}`,
      headers: { host: target.host, accept: "application/json", connection: "close", "user-agent": "svclab-standin-agent" },
    }, (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) finish({ ok: false, status, identity: null, error: "other", message: `body larger than ${MAX_BODY_BYTES} bytes` });
        else chunks.push(chunk);
      });
      response.on("end", () => {
        let identity = null;
        try {
          const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          identity = isIdentity(parsed) ? parsed : null;
        } catch {
          identity = null;
        }
        finish(status >= 400
          ? { ok: false, status, identity, error: "http-status", message: `the answer was HTTP ${status}` }
          : { ok: true, status, identity, error: null, message: null });
      });
      response.on("error", (error) => finish({ ok: false, status: null, identity: null, error: classifyError(error), message: error.message }));
    });
    request.on("error", (error) => finish({ ok: false, status: null, identity: null, error: classifyError(error), message: error.message }));
    const timer = setTimeout(() => finish({ ok: false, status: null, identity: null, error: "timeout", message: `no complete answer within ${timeoutMs} ms` }), timeoutMs);
    request.end();
  });
}
