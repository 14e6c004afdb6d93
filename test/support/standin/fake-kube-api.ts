/**
 * A stand-in Kubernetes API server over plain HTTP on 127.0.0.1:<random>:
 * discovery, the read endpoints a verifier needs (nodes, Services, pods,
 * Endpoints, EndpointSlices; lists with labelSelector) and the pods/services
 * proxy subresources, with bearer-token auth and real `Status` errors.
 * https://kubernetes.io/docs/reference/using-api/api-concepts/
 * https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ClusterState, PodState, ServiceState } from "./cluster-state";
import type { DataPlane } from "./data-plane";
import * as objects from "./k8s-objects";
import { KIND_DATA_PLANE, kubeSystemConfigMaps, kubeSystemDaemonSets, type StandinDataPlane } from "./kube-system";
import type { WorldFaults } from "./spec";
import { parseFieldSelector, parseLabelSelector } from "./label-selector";

/** A failure the API answers every resource request with (discovery and /version keep working, as RBAC allows them to everyone). */
export type ApiFailure = 403 | 500;

type Reply = { readonly code: number; readonly body: unknown };
type Handler = (match: RegExpExecArray, query: URLSearchParams) => Reply;

/**
 * What a request asked the API server for: a collection (`list`), one object
 * (`get`), the pods or services proxy subresource, or anything else
 * (discovery, `/version`, an unknown path).
 */
export type ApiRequestKind = "list" | "get" | "pods-proxy" | "services-proxy" | "other";

/** Requests seen so far, by kind (every request counts, answered or refused). */
export type ApiRequestCounts = Record<ApiRequestKind, number>;

interface Resource {
  readonly group: string;
  readonly resource: string;
  readonly listKind: string;
  readonly apiVersion: string;
  readonly items: () => { readonly object: Record<string, any>; readonly namespace?: string; readonly name: string }[];
  readonly fields: Readonly<Record<string, (object: any) => string | undefined>>;
}

const SERVICE_ACCOUNT_USER = "system:serviceaccount:svclab:verifier";

/** `/api/v1/namespaces/<ns>/(pods|services)/<name>[:<port>]/proxy[/<path>]`: the proxy subresources. */
const PROXY_PATH = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/(pods|services)\/([^/]+)\/proxy(\/.*)?$/;

export class FakeKubeApi {
  private server: http.Server | undefined;
  private failure: ApiFailure | undefined;
  private readonly sockets = new Set<import("node:net").Socket>();
  private readonly routes: [RegExp, Handler, ApiRequestKind][];
  private readonly counted: ApiRequestCounts = { list: 0, get: 0, "pods-proxy": 0, "services-proxy": 0, other: 0 };
  /** Every request seen, as `METHOD path`, so tests can assert what a client asked for. */
  readonly requests: string[] = [];
  /** The probe agents' token, served as Secret `svclab-probe-token` (unless `faults.probeTokenSecret` says otherwise). */
  probeToken: string | undefined;

  /**
   * @param state the cluster to serve
   * @param plane where the services proxy sends (ready endpoints)
   * @param token the bearer token every request must carry
   * @param sourceAddress the address proxied connections come from (the control-plane node, where the API server runs)
   * @param faults the world's faults (`apiProxyBlocked` and `kubeSystemForbidden` are played here)
   * @param dataPlane what kube-system shows of the Service implementation
   */
  constructor(
    private readonly state: ClusterState,
    private readonly plane: DataPlane,
    readonly token: string,
    private readonly sourceAddress: string,
    private readonly faults: WorldFaults = {},
    private readonly dataPlane: StandinDataPlane = KIND_DATA_PLANE,
  ) {
    const ns = "([a-z0-9-]+)";
    const name = "([^/]+)";
    const resources = this.resources();
    this.routes = [
      [/^\/version\/?$/, () => ok(objects.SERVER_VERSION), "other"],
      [/^\/api\/?$/, () => ok({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: this.hostPort }] }), "other"],
      [/^\/apis\/?$/, () => ok({
        kind: "APIGroupList", apiVersion: "v1",
        groups: [
          { name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } },
          { name: "discovery.k8s.io", versions: [{ groupVersion: "discovery.k8s.io/v1", version: "v1" }], preferredVersion: { groupVersion: "discovery.k8s.io/v1", version: "v1" } },
        ],
      }), "other"],
      [new RegExp(`^/api/v1/namespaces/${ns}$`), (m) => this.guard("namespaces", "", undefined, "get", () => m[1] === this.state.namespace || ["default", "kube-system"].includes(m[1])
        ? ok({ kind: "Namespace", apiVersion: "v1", metadata: { name: m[1], labels: { "kubernetes.io/metadata.name": m[1] } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } })
        : notFound("namespaces", m[1])), "get"],
      ...resources.flatMap((r): [RegExp, Handler, ApiRequestKind][] => {
        const prefix = r.group === "" ? "/api/v1" : `/apis/${r.group}/v1`;
        const namespaced = r.resource !== "nodes";
        const routes: [RegExp, Handler, ApiRequestKind][] = [
          [new RegExp(`^${prefix}/${r.resource}$`), (_m, q) => this.list(r, undefined, q), "list"],
          ...(namespaced ? [] : [[new RegExp(`^${prefix}/${r.resource}/${name}$`), (m: RegExpExecArray) => this.get(r, undefined, m[1]), "get"] as [RegExp, Handler, ApiRequestKind]]),
        ];
        if (namespaced) {
          routes.push([new RegExp(`^${prefix}/namespaces/${ns}/${r.resource}$`), (m, q) => this.list(r, m[1], q), "list"]);
          routes.push([new RegExp(`^${prefix}/namespaces/${ns}/${r.resource}/${name}$`), (m) => this.get(r, m[1], m[2]), "get"]);
        }
        return routes;
      }),
    ];
  }

  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    return `http://${this.hostPort}`;
  }

  private get hostPort(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("the fake API server is not listening");
    return `127.0.0.1:${address.port}`;
  }

  /** Requests seen so far by kind, e.g. to print what a verifier run cost the API server. */
  requestCounts(): ApiRequestCounts {
    return { ...this.counted };
  }

  /** Makes every resource request fail with 403 Forbidden or 500 InternalError; `undefined` heals it. */
  failWith(failure: ApiFailure | undefined): void {
    this.failure = failure;
  }

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port }, () => resolve());
    });
    this.server = server;
  }

  /** Stops listening and cuts open connections (a client then sees the API as unreachable). */
  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://api");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const proxied = PROXY_PATH.exec(url.pathname);
    const found = proxied ? undefined : this.route(url.pathname);
    this.counted[proxied ? (proxied[2] === "pods" ? "pods-proxy" : "services-proxy") : (found?.kind ?? "other")]++;
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, { code: 401, body: objects.status(401, "Unauthorized", "Unauthorized") });
    }
    if (proxied) return this.proxy(req, res, url, proxied);
    if (!found) return send(res, { code: 404, body: objects.status(404, "NotFound", "the server could not find the requested resource") });
    const { match, handler } = found;
    if (req.method !== "GET") {
      return send(res, { code: 405, body: objects.status(405, "MethodNotAllowed", `the stand-in API serves reads only, not ${req.method}`) });
    }
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
      return send(res, { code: 400, body: objects.status(400, "BadRequest", "watch is not served by the stand-in API; list instead") });
    }
    try {
      send(res, handler(match, url.searchParams));
    } catch (error) {
      send(res, { code: 400, body: objects.status(400, "BadRequest", error instanceof Error ? error.message : String(error)) });
    }
  }

  /** The first route whose pattern matches, tried in order (no other match is computed). */
  private route(pathname: string): { match: RegExpExecArray; handler: Handler; kind: ApiRequestKind } | undefined {
    for (const [pattern, handler, kind] of this.routes) {
      const match = pattern.exec(pathname);
      if (match) return { match, handler, kind };
    }
    return undefined;
  }

  private guard(resource: string, group: string, namespace: string | undefined, verb: string, reply: () => Reply): Reply {
    const secretForbidden = resource === "secrets" && this.faults.probeTokenSecret === "forbidden";
    if (this.failure === 403 || secretForbidden || (namespace === "kube-system" && this.faults.kubeSystemForbidden === true)) {
      const where = namespace === undefined ? "at the cluster scope" : `in the namespace "${namespace}"`;
      return {
        code: 403,
        body: objects.status(403, "Forbidden", `${resource} is forbidden: User "${SERVICE_ACCOUNT_USER}" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`, { kind: resource, ...(group ? { group } : {}) }),
      };
    }
    if (this.failure === 500) {
      return { code: 500, body: objects.status(500, "InternalError", `Internal error occurred: etcdserver: request timed out`, { causes: [{ message: "etcdserver: request timed out" }] }) };
    }
    return reply();
  }

  private list(r: Resource, namespace: string | undefined, query: URLSearchParams): Reply {
    return this.guard(r.resource, r.group, namespace, "list", () => {
      const labels = parseLabelSelector(query.get("labelSelector"));
      const fields = parseFieldSelector(query.get("fieldSelector"), r.fields);
      const items = r.items()
        .filter((i) => namespace === undefined || i.namespace === namespace)
        .map((i) => i.object)
        .filter((o) => labels(o.metadata?.labels ?? {}) && fields(o));
      return ok(objects.list(r.listKind, r.apiVersion, items, String(Date.now())));
    });
  }

  private get(r: Resource, namespace: string | undefined, name: string): Reply {
    return this.guard(r.resource, r.group, namespace, "get", () => {
      const item = r.items().find((i) => i.name === name && (namespace === undefined || i.namespace === namespace));
      if (!item) return notFound(r.resource, name, r.group);
      const { kind, apiVersion } = { kind: r.listKind.replace(/List$/, ""), apiVersion: r.apiVersion };
      return ok({ kind, apiVersion, ...item.object });
    });
  }

  private proxy(req: http.IncomingMessage, res: http.ServerResponse, url: URL, match: RegExpExecArray): void {
    const [, namespace, resource, rawName, rest] = match;
    const isPod = resource === "pods";
    const reply = this.guard(`${resource}/proxy`, "", namespace, "get", () => ({ code: 0, body: null }));
    if (reply.code !== 0) return send(res, reply);
    // `name`, `name:port` or `scheme:name:port`.
    const parts = decodeURIComponent(rawName).split(":");
    const [name, port] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
    const target = isPod ? this.podTarget(namespace, name, port) : this.serviceTarget(namespace, name, port);
    if ("code" in target) return send(res, target);
    const upstream = http.request({
      host: target.host, port: target.port, localAddress: this.sourceAddress, method: req.method, agent: false,
      path: `${rest ?? "/"}${url.search}`,
      headers: { ...withoutAuth(req.headers), host: `${target.host}:${target.port}` },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", (error: Error & { code?: string }) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const cause = error.code === "ECONNREFUSED" ? "connect: connection refused" : error.message;
      send(res, { code: 503, body: objects.status(503, "ServiceUnavailable", `error trying to reach service: dial tcp ${target.shownAs}: ${cause}`) });
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  private podTarget(namespace: string, name: string, port: string | undefined): Reply | { host: string; port: number; shownAs: string } {
    const pod = namespace === this.state.namespace ? this.state.pods.find((p) => p.name === name) : undefined;
    if (!pod) return notFound("pods", name);
    const number = port === undefined || port === "" ? 3000 : port === "http" ? 3000 : Number(port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) {
      return { code: 400, body: objects.status(400, "BadRequest", `invalid port "${port}" for pod ${namespace}/${name}`) };
    }
    return { host: pod.wire, port: number, shownAs: `${pod.podIP}:${number}` };
  }

  private serviceTarget(namespace: string, name: string, port: string | undefined): Reply | { host: string; port: number; shownAs: string } {
    const service = namespace === this.state.namespace ? this.state.service(name) : undefined;
    if (!service) return notFound("services", name);
    if (port !== undefined && port !== "" && port !== "http" && Number(port) !== service.port) {
      return { code: 503, body: objects.status(503, "ServiceUnavailable", `no service port "${port}" found for service "${name}"`) };
    }
    const pod: PodState | undefined = service.spec.kind === "ExternalName" ? undefined : this.plane.forApiProxy(service);
    if (!pod) return { code: 503, body: objects.status(503, "ServiceUnavailable", `no endpoints available for service "${name}"`) };
    if ((this.faults.apiProxyBlocked ?? []).includes(name)) {
      return { code: 503, body: objects.status(503, "ServiceUnavailable", `error trying to reach service: dial tcp ${pod.podIP}:${service.targetPort}: i/o timeout`) };
    }
    return { host: pod.wire, port: service.targetPort, shownAs: `${pod.podIP}:${service.targetPort}` };
  }

  private resources(): Resource[] {
    const s = this.state;
    const ns = s.namespace;
    const byName = (o: any) => o.metadata?.name;
    const byNamespace = (o: any) => o.metadata?.namespace;
    return [
      {
        group: "", resource: "nodes", listKind: "NodeList", apiVersion: "v1",
        items: () => s.nodes.map((n) => ({ object: objects.nodeObject(n) as Record<string, any>, name: n.name })),
        fields: { "metadata.name": byName },
      },
      {
        group: "", resource: "services", listKind: "ServiceList", apiVersion: "v1",
        items: () => s.services.map((svc) => ({ object: objects.serviceObject(svc, ns) as Record<string, any>, namespace: ns, name: svc.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
      {
        group: "", resource: "pods", listKind: "PodList", apiVersion: "v1",
        items: () => s.pods.map((p) => ({ object: objects.podObject(p, s) as Record<string, any>, namespace: ns, name: p.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace, "spec.nodeName": (o) => o.spec?.nodeName, "status.phase": (o) => o.status?.phase },
      },
      {
        group: "", resource: "endpoints", listKind: "EndpointsList", apiVersion: "v1",
        items: () => slicesOf(s.services, (svc) => objects.endpointsObject(svc, s)).map(([svc, o]) => ({ object: o, namespace: ns, name: svc.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
      {
        group: "", resource: "secrets", listKind: "SecretList", apiVersion: "v1",
        items: () => (this.probeToken === undefined || this.faults.probeTokenSecret === "missing" ? [] : [{
          object: objects.probeTokenSecretObject(ns, this.probeToken) as Record<string, any>, namespace: ns, name: objects.PROBE_TOKEN_SECRET,
        }]),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
      {
        group: "", resource: "configmaps", listKind: "ConfigMapList", apiVersion: "v1",
        items: () => kubeSystemConfigMaps(this.dataPlane).map((c) => ({ object: c.object, namespace: "kube-system", name: c.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
      {
        group: "apps", resource: "daemonsets", listKind: "DaemonSetList", apiVersion: "apps/v1",
        items: () => kubeSystemDaemonSets(this.dataPlane).map((d) => ({ object: d.object, namespace: "kube-system", name: d.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
      {
        group: "discovery.k8s.io", resource: "endpointslices", listKind: "EndpointSliceList", apiVersion: "discovery.k8s.io/v1",
        items: () => s.services.flatMap((svc) => objects.endpointSliceObjects(svc, s) as Record<string, any>[]).map((o) => ({ object: o, namespace: ns, name: o.metadata.name })),
        fields: { "metadata.name": byName, "metadata.namespace": byNamespace },
      },
    ];
  }
}

function slicesOf(services: ServiceState[], render: (s: ServiceState) => object | undefined): [ServiceState, Record<string, any>][] {
  return services.flatMap((svc) => {
    const object = render(svc);
    return object ? [[svc, object as Record<string, any>]] : [];
  });
}

function ok(body: unknown): Reply {
  return { code: 200, body };
}

function notFound(resource: string, name: string, group = ""): Reply {
  return { code: 404, body: objects.status(404, "NotFound", `${resource}${group ? `.${group}` : ""} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource }) };
}

function send(res: http.ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.code, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-cache, private" });
  res.end(text);
}

function withoutAuth(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const { authorization: _dropped, host: _host, ...rest } = headers;
  return rest;
}
