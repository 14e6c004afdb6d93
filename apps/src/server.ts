import * as http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { callBackend, callsBackend } from "./backend-call";
import { ConfigError, MISSING_PROBE_TOKEN_FILE, type AppConfig } from "./config";
import { dial, parseDialQuery } from "./dial";
import { agentSlots, serveDialBatch, type BatchWorkers } from "./dial-batch";
import { lookupVia } from "./dns-lookup";
import { identityPage } from "./html";
import { identityOf, type FrontendIdentity, type Identity } from "./identity";
import { BadParameter } from "./params";
import { PROBE_TOKEN_HEADER, readTokenFile, refuseWithoutToken } from "./probe-token";
import { readReadinessBody, Readiness } from "./readiness";
import { parseResolveQuery, resolveName } from "./resolve";

/** Where to listen (`host`/`port` default to the config's `HOST`/`PORT`) and which DNS servers to ask. */
export interface ListenOptions {
  /** The address to bind; `undefined` binds every interface. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /**
   * Ask these DNS servers (`"127.0.0.1:5353"` form) instead of /etc/resolv.conf,
   * for `/dial` and `/resolve`; for tests and for running the probe outside a
   * cluster. Default: the system resolver, which in a pod means cluster DNS with
   * the pod's search path — what the verifier sets out to prove.
   */
  readonly dnsServers?: readonly string[];
}

/** How a shutdown ended. */
export interface ShutdownResult {
  /** True when every in-flight request finished inside the grace period; false when connections were cut. */
  readonly drained: boolean;
}

/** A started workload. */
export interface RunningApp {
  /** The port actually bound (the one `GET /` reports as `listenPort`). */
  readonly port: number;
  /** The address actually bound. */
  readonly address: string;
  /**
   * Stops accepting connections at once, closes idle keep-alive connections,
   * lets in-flight requests finish, and cuts whatever is left after `graceMs`
   * (default: the config's `shutdownGraceMs`). Calling it again returns the same promise.
   */
  close(graceMs?: number): Promise<ShutdownResult>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, query: URLSearchParams) => Promise<void>;

interface Route {
  readonly methods: Readonly<Record<string, Handler>>;
  /** Set when only the probe role serves this path. */
  readonly probeOnly: boolean;
}

/**
 * Starts the workload's HTTP server and resolves once it listens.
 * `/dial` and `/resolve` exist only for `ROLE=probe`: on a frontend exposed
 * through a NodePort or LoadBalancer they would let anyone make the cluster
 * send requests on their behalf. The probe role needs its token file
 * (`probeTokenFile`) and rejects without it, so the agent is never an open relay.
 */
export function startApp(config: AppConfig, listen: ListenOptions = {}): Promise<RunningApp> {
  // loadConfig already refuses this; a config built by hand must not open the relay either.
  if (config.role === "probe" && config.probeTokenFile === null) return Promise.reject(new ConfigError(MISSING_PROBE_TOKEN_FILE));
  const tokenFile = config.probeTokenFile;
  const readiness = new Readiness();
  const dnsServers = listen.dnsServers;
  const lookup = dnsServers === undefined ? undefined : lookupVia(dnsServers);
  // Every dial and lookup, single or batched, holds one of these: the bound on the agent's open sockets.
  const slots = agentSlots();
  const workers: BatchWorkers = {
    dial: (request, signal) => dial(request, signal, lookup),
    resolve: (request) => resolveName(request, dnsServers),
  };
  const startedAt = new Date();
  let served = 0;
  let listenPort = 0;
  let closing: Promise<ShutdownResult> | undefined;

  const send = (
    response: ServerResponse,
    status: number,
    contentType: string,
    text: string,
    extraHeaders: http.OutgoingHttpHeaders = {},
  ): void => {
    response.writeHead(status, {
      "content-type": contentType,
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
      // While shutting down, a kept-alive connection would hold the server open: end it after this answer.
      ...(closing === undefined ? {} : { connection: "close" }),
      ...extraHeaders,
    });
    response.end(text);
  };
  const sendJson = (response: ServerResponse, status: number, body: unknown, extraHeaders: http.OutgoingHttpHeaders = {}): void =>
    send(response, status, "application/json; charset=utf-8", JSON.stringify(body), extraHeaders);

  const identity: Handler = async (request, response, query) => {
    // Validated on every role, so a typo is a 400 wherever it is sent, not a silent call.
    const withBackend = callsBackend(query);
    served += 1;
    const own: Identity = identityOf(config, request, listenPort, served, startedAt);
    const answer: Identity | FrontendIdentity =
      config.backendUrl === null || !withBackend ? own : { ...own, backend: await callBackend(config.backendUrl) };
    if (wantsHtml(request)) {
      send(response, 200, "text/html; charset=utf-8", identityPage(answer));
    } else {
      sendJson(response, 200, answer);
    }
  };

  const routes: Readonly<Record<string, Route>> = {
    "/": { probeOnly: false, methods: { GET: identity } },
    "/healthz": { probeOnly: false, methods: { GET: async (_request, response) => sendJson(response, 200, { ok: true }) } },
    "/readyz": {
      probeOnly: false,
      methods: {
        GET: async (_request, response) =>
          sendJson(response, readiness.isReady ? 200 : 503, { ready: readiness.isReady }),
        POST: async (request, response) => {
          readiness.set(await readReadinessBody(request));
          sendJson(response, readiness.isReady ? 200 : 503, { ready: readiness.isReady });
        },
      },
    },
    "/dial": {
      probeOnly: true,
      methods: {
        GET: async (request, response, query) => {
          const parsed = parseDialQuery(query);
          // If the caller gives up, do not go on dialling for nobody.
          const abandoned = new AbortController();
          response.on("close", () => abandoned.abort());
          const report = await slots.work.runUnlessAborted(() => dial(parsed, abandoned.signal, lookup), abandoned.signal);
          if (report !== undefined && !response.destroyed) sendJson(response, 200, report);
        },
        POST: (request, response) => serveDialBatch(request, response, workers, slots),
      },
    },
    "/resolve": {
      probeOnly: true,
      methods: {
        GET: async (_request, response, query) => {
          const parsed = parseResolveQuery(query);
          sendJson(response, 200, await slots.work.run(() => resolveName(parsed, dnsServers)));
        },
      },
    },
  };
  const paths = Object.keys(routes).filter((path) => config.role === "probe" || !routes[path].probeOnly);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const [path, search] = splitTarget(request.url ?? "/");
    // Own keys only: a lookup must never land on an Object.prototype member.
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined || (route.probeOnly && config.role !== "probe")) {
      const roleNote = route === undefined ? "" : ` (${path} is served by ROLE=probe only; this instance is ${config.role})`;
      sendJson(response, 404, { error: { path, message: `no such path${roleNote}; available: ${paths.join(", ")}` } });
      return;
    }
    // Only the verifier may make this pod send requests: check the token before anything is parsed or sent.
    if (route.probeOnly) {
      // Fail closed: without a token file nobody passes (startApp does not even start then).
      const refusal = tokenFile === null ? { status: 503, message: MISSING_PROBE_TOKEN_FILE } : refuseWithoutToken(request, tokenFile);
      if (refusal !== undefined) {
        sendJson(response, refusal.status, { error: { header: PROBE_TOKEN_HEADER, message: refusal.message } });
        return;
      }
    }
    // HEAD is GET without a body; Node's response drops the body by itself.
    const method = request.method === "HEAD" ? "GET" : (request.method ?? "GET");
    const handler = Object.hasOwn(route.methods, method) ? route.methods[method] : undefined;
    if (handler === undefined) {
      const allowed = Object.keys(route.methods).join(", ");
      sendJson(response, 405, { error: { method, message: `${path} allows ${allowed}` } }, { allow: allowed });
      return;
    }
    await handler(request, response, new URLSearchParams(search));
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
      } else if (error instanceof BadParameter) {
        sendJson(response, 400, { error: { parameter: error.parameter, message: error.message } });
      } else {
        sendJson(response, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
      }
    });
  });

  const close = (graceMs = config.shutdownGraceMs): Promise<ShutdownResult> => {
    closing ??= new Promise((resolve) => {
      let drained = true;
      const deadline = setTimeout(() => {
        drained = false;
        server.closeAllConnections();
      }, graceMs);
      server.close(() => {
        clearTimeout(deadline);
        resolve({ drained });
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  // A probe agent with no readable token is a broken deployment (or an open relay): fail at start, not on the first probe.
  if (tokenFile !== null && config.role === "probe") {
    try {
      readTokenFile(tokenFile);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: listen.host ?? config.host, port: listen.port ?? config.port }, () => {
      server.off("error", reject);
      const bound = server.address() as AddressInfo;
      listenPort = bound.port;
      resolve({ port: bound.port, address: bound.address, close });
    });
  });
}

/** Browsers ask for `text/html`; curl and the verifier do not, and get JSON. */
function wantsHtml(request: IncomingMessage): boolean {
  return (request.headers.accept ?? "").includes("text/html");
}

/** Splits a request target into path and query without treating `//x` as a host, as `new URL` would. */
function splitTarget(target: string): [string, string] {
  const mark = target.indexOf("?");
  return mark === -1 ? [target, ""] : [target.slice(0, mark), target.slice(mark + 1)];
}
