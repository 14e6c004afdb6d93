/**
 * The stand-in API server of a network-namespace world: serves the captured
 * objects (nodes, Services, pods, EndpointSlices; lists with label and field
 * selectors) and the probe token's Secret the world adds over plain HTTP with bearer-token auth, and the pods and services
 * proxy subresources, dialled from where it runs — the control-plane node's
 * namespace, as kube-apiserver runs on a kind control-plane node. The services
 * proxy picks a random ready endpoint and ignores session affinity, as the
 * real API server did on the captured cluster (its README).
 * https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { list, status } from "../standin/k8s-objects";
import { parseFieldSelector, parseLabelSelector } from "../standin/label-selector";
import type { CapturedObjects } from "./capture";
import { readyAddresses, type ObjectsFile } from "./objects-file";

/** The captured control plane's version. */
export const CAPTURED_VERSION = {
  major: "1", minor: "24", gitVersion: "v1.24.2", gitCommit: "f66044f4361b9f1f96f0053dd46cb7dce5e990a8",
  gitTreeState: "clean", buildDate: "2022-06-15T14:15:38Z", goVersion: "go1.18.3", compiler: "gc", platform: "linux/amd64",
};

type Reply = { readonly code: number; readonly body: unknown };

interface Resource {
  readonly group: string;
  readonly name: "nodes" | "services" | "pods" | "endpointslices" | "secrets";
  readonly listKind: string;
  readonly apiVersion: string;
  readonly fields: Readonly<Record<string, (object: any) => string | undefined>>;
}

const byName = (o: any) => o.metadata?.name;
const byNamespace = (o: any) => o.metadata?.namespace;
const RESOURCES: readonly Resource[] = [
  { group: "", name: "nodes", listKind: "NodeList", apiVersion: "v1", fields: { "metadata.name": byName } },
  { group: "", name: "services", listKind: "ServiceList", apiVersion: "v1", fields: { "metadata.name": byName, "metadata.namespace": byNamespace } },
  {
    group: "", name: "pods", listKind: "PodList", apiVersion: "v1",
    fields: { "metadata.name": byName, "metadata.namespace": byNamespace, "spec.nodeName": (o) => o.spec?.nodeName, "status.phase": (o) => o.status?.phase },
  },
  { group: "", name: "secrets", listKind: "SecretList", apiVersion: "v1", fields: { "metadata.name": byName, "metadata.namespace": byNamespace } },
  { group: "discovery.k8s.io", name: "endpointslices", listKind: "EndpointSliceList", apiVersion: "discovery.k8s.io/v1", fields: { "metadata.name": byName, "metadata.namespace": byNamespace } },
];

const PROXY_PATH = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/(pods|services)\/([^/]+)\/proxy(\/.*)?$/;

export interface RunningApi {
  /** The port bound (the one asked for, or the one picked for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `objects` on `host`:`port`, every request carrying `Authorization: Bearer <token>`. */
export async function startCapturedApi(objects: ObjectsFile, token: string, host: string, port: number): Promise<RunningApi> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    try {
      handle(objects.current(), token, req, res);
    } catch (error) {
      send(res, { code: 500, body: status(500, "InternalError", error instanceof Error ? error.message : String(error)) });
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function handle(objects: CapturedObjects, token: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://api");
  if (req.headers.authorization !== `Bearer ${token}`) return send(res, { code: 401, body: status(401, "Unauthorized", "Unauthorized") });
  const proxied = PROXY_PATH.exec(url.pathname);
  if (proxied) return proxy(objects, req, res, url, proxied);
  if (req.method !== "GET") return send(res, { code: 405, body: status(405, "MethodNotAllowed", `the captured API serves reads only, not ${req.method}`) });
  send(res, read(objects, url));
}

function read(objects: CapturedObjects, url: URL): Reply {
  const p = url.pathname.replace(/\/$/, "");
  if (p === "/version") return ok(CAPTURED_VERSION);
  if (p === "/api") return ok({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
  if (p === "/apis") {
    const discovery = { groupVersion: "discovery.k8s.io/v1", version: "v1" };
    return ok({ kind: "APIGroupList", apiVersion: "v1", groups: [{ name: "discovery.k8s.io", versions: [discovery], preferredVersion: discovery }] });
  }
  const namespaceGet = /^\/api\/v1\/namespaces\/([a-z0-9-]+)$/.exec(p);
  if (namespaceGet) {
    return [objects.namespace, "default", "kube-system"].includes(namespaceGet[1])
      ? ok({ kind: "Namespace", apiVersion: "v1", metadata: { name: namespaceGet[1] }, status: { phase: "Active" } })
      : notFound("namespaces", namespaceGet[1]);
  }
  for (const r of RESOURCES) {
    const prefix = r.group === "" ? "/api/v1" : `/apis/${r.group}/v1`;
    const pattern = new RegExp(`^${prefix}(?:/namespaces/([a-z0-9-]+))?/${r.name}(?:/([^/]+))?$`);
    const m = pattern.exec(p);
    if (m === null) continue;
    const [, namespace, name] = m;
    const items = (objects[r.name] ?? []).filter((o) => namespace === undefined || o.metadata?.namespace === namespace);
    const kind = r.listKind.replace(/List$/, "");
    if (name !== undefined) {
      const item = items.find((o) => o.metadata?.name === name);
      return item ? ok({ kind, apiVersion: r.apiVersion, ...item }) : notFound(r.name, name, r.group);
    }
    try {
      const labels = parseLabelSelector(url.searchParams.get("labelSelector"));
      const fields = parseFieldSelector(url.searchParams.get("fieldSelector"), r.fields);
      const selected = items.filter((o) => labels(o.metadata?.labels ?? {}) && fields(o)).map((o) => ({ kind, apiVersion: r.apiVersion, ...o }));
      return ok(list(r.listKind, r.apiVersion, selected, "1"));
    } catch (error) {
      return { code: 400, body: status(400, "BadRequest", error instanceof Error ? error.message : String(error)) };
    }
  }
  return { code: 404, body: status(404, "NotFound", "the server could not find the requested resource") };
}

function proxy(objects: CapturedObjects, req: http.IncomingMessage, res: http.ServerResponse, url: URL, match: RegExpExecArray): void {
  const [, namespace, resource, rawName, rest] = match;
  // `name`, `name:port` or `scheme:name:port`.
  const parts = decodeURIComponent(rawName).split(":");
  const [name, port] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
  const target = resource === "pods" ? podTarget(objects, namespace, name, port) : serviceTarget(objects, namespace, name, port);
  if ("code" in target) return send(res, target);
  const upstream = http.request(
    {
      host: target.host, port: target.port, method: req.method, agent: false, path: `${rest ?? "/"}${url.search}`,
      headers: { ...withoutAuth(req.headers), host: `${target.host}:${target.port}` },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (error: NodeJS.ErrnoException) => {
    if (res.headersSent) return void res.destroy();
    const cause = error.code === "ECONNREFUSED" ? "connect: connection refused" : error.code === "EHOSTUNREACH" ? "connect: no route to host" : error.message;
    send(res, { code: 503, body: status(503, "ServiceUnavailable", `error trying to reach service: dial tcp ${target.host}:${target.port}: ${cause}`) });
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

function podTarget(objects: CapturedObjects, namespace: string, name: string, port: string | undefined): Reply | { host: string; port: number } {
  const pod = objects.pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
  if (!pod) return notFound("pods", name);
  const ports: { name?: string; containerPort: number }[] = (pod.spec?.containers ?? []).flatMap((c: { ports?: unknown[] }) => c.ports ?? []);
  const number = port === undefined || port === "" ? ports[0]?.containerPort : /^\d+$/.test(port) ? Number(port) : ports.find((p) => p.name === port)?.containerPort;
  if (number === undefined || number < 1 || number > 65535) return { code: 400, body: status(400, "BadRequest", `invalid port "${port ?? ""}" for pod ${namespace}/${name}`) };
  if (typeof pod.status?.podIP !== "string") return { code: 503, body: status(503, "ServiceUnavailable", `pod ${namespace}/${name} has no IP`) };
  return { host: pod.status.podIP, port: number };
}

function serviceTarget(objects: CapturedObjects, namespace: string, name: string, port: string | undefined): Reply | { host: string; port: number } {
  const service = objects.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  if (!service) return notFound("services", name);
  const ports: { name?: string; port: number; targetPort?: number | string }[] = service.spec?.ports ?? [];
  const chosen = port === undefined || port === "" ? ports[0] : ports.find((p) => p.name === port || String(p.port) === port);
  if (chosen === undefined) return { code: 503, body: status(503, "ServiceUnavailable", `no service port "${port ?? ""}" found for service "${name}"`) };
  const addresses = service.spec?.type === "ExternalName" ? [] : readyAddresses(objects, name);
  if (addresses.length === 0) return { code: 503, body: status(503, "ServiceUnavailable", `no endpoints available for service "${name}"`) };
  const slicePort = objects.endpointslices
    .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === name)
    .flatMap((s) => (s.ports ?? []) as { name?: string; port?: number }[])
    .find((p) => (p.name ?? "") === (chosen.name ?? ""))?.port;
  const targetPort = slicePort ?? (typeof chosen.targetPort === "number" ? chosen.targetPort : chosen.port);
  return { host: addresses[Math.floor(Math.random() * addresses.length)], port: targetPort };
}

function ok(body: unknown): Reply {
  return { code: 200, body };
}

function notFound(resource: string, name: string, group = ""): Reply {
  return { code: 404, body: status(404, "NotFound", `${resource}${group ? `.${group}` : ""} "${name}" not found`, { name, kind: resource }) };
}

function send(res: http.ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function withoutAuth(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const { authorization: _dropped, host: _host, ...rest } = headers;
  return rest;
}
