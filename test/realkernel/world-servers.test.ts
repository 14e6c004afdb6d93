/**
 * The real-kernel world's own servers — the cluster DNS server and the
 * captured-objects API — on 127.0.0.1, so they are checked on every machine,
 * also where the real-kernel suite itself is skipped.
 */
import { Resolver } from "node:dns/promises";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { loadCapture, type CapturedObjects } from "../support/realkernel/capture";
import { startCapturedApi, type RunningApi } from "../support/realkernel/captured-api";
import { startClusterDns, type RunningDns } from "../support/realkernel/cluster-dns-server";
import { ObjectsFile, writeObjectsFile } from "../support/realkernel/objects-file";
import { request } from "../apps/helpers";

const capture = loadCapture();
const TOKEN = "world-servers-test-token";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-world-servers-"));
const file = path.join(dir, "objects.json");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The captured objects with one probe pod's IP replaced, so the pods proxy can reach a loopback server. */
function withPodIP(objects: CapturedObjects, pod: string, ip: string): CapturedObjects {
  return { ...objects, pods: objects.pods.map((p) => (p.metadata.name === pod ? { ...p, status: { ...p.status, podIP: ip } } : p)) };
}

describe("the world's cluster DNS server", () => {
  let dns: RunningDns;
  let resolver: Resolver;
  beforeAll(async () => {
    writeObjectsFile(file, capture.objects("ready"));
    dns = await startClusterDns(new ObjectsFile(file), "127.0.0.1", 0);
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
  });
  afterAll(() => dns.close());

  test("a Service name resolves to its captured ClusterIP; AAAA is an empty answer, not NXDOMAIN", async () => {
    await expect(resolver.resolve4("backend.svclab.svc.cluster.local")).resolves.toEqual(["198.19.172.20"]);
    await expect(resolver.resolve6("backend.svclab.svc.cluster.local")).rejects.toMatchObject({ code: "ENODATA" });
  });

  test("a headless Service resolves to its ready endpoints, and to nothing when none is ready", async () => {
    expect((await resolver.resolve4("backend-headless.svclab.svc.cluster.local")).sort()).toEqual(["198.18.65.10", "198.18.66.10"]);
    writeObjectsFile(file, capture.objects("backend-not-ready"));
    try {
      await expect(resolver.resolve4("backend-headless.svclab.svc.cluster.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
    } finally {
      writeObjectsFile(file, capture.objects("ready"));
    }
  });

  test("an ExternalName is a CNAME, followed to the ClusterIP when it points into the cluster", async () => {
    await expect(resolver.resolveCname("backend-external.svclab.svc.cluster.local")).resolves.toEqual(["backend.svclab.svc.cluster.local"]);
    await expect(resolver.resolve4("backend-external.svclab.svc.cluster.local")).resolves.toEqual(["198.19.172.20"]);
  });

  test("SRV names the port; unknown names and names outside the cluster domain are NXDOMAIN (nothing is forwarded)", async () => {
    await expect(resolver.resolveSrv("_http._tcp.backend.svclab.svc.cluster.local")).resolves.toEqual([
      { name: "backend.svclab.svc.cluster.local", port: 80, priority: 0, weight: 100 },
    ]);
    await expect(resolver.resolve4("nosuch.svclab.svc.cluster.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolve4("backend.svclab.svc.cluster.local.svclab.svc.cluster.local")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolve4("example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  test("answers over TCP too (length-prefixed, RFC 1035 4.2.2)", async () => {
    const name = "backend.svclab.svc.cluster.local";
    const question = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
      ...name.split(".").map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(question.length, 0);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: dns.port });
      let received = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          socket.destroy();
          resolve(received.subarray(2));
        }
      });
      socket.on("error", reject);
      socket.end(Buffer.concat([prefix, question]));
    });
    expect(reply.readUInt16BE(0)).toBe(0x1234);
    expect(reply.readUInt16BE(6)).toBe(1); // one answer
    expect([...reply.subarray(reply.length - 4)]).toEqual([198, 19, 172, 20]);
  });
});

describe("the world's captured-objects API server", () => {
  let api: RunningApi;
  let target: http.Server;
  /** A GET with the token, another token, or (null) none. */
  const get = (pathname: string, token: string | null = TOKEN) =>
    request(api.port, pathname, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    target = http.createServer((req, res) => res.end(JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization ?? null })));
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", () => resolve()));
    const port = (target.address() as net.AddressInfo).port;
    const objects = withPodIP(capture.objects("ready"), "probe-pxxrk", "127.0.0.1");
    writeObjectsFile(file, { ...objects, pods: objects.pods.map((p) => (p.metadata.name === "probe-pxxrk" ? { ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], ports: [{ name: "http", containerPort: port }] }] } } : p)) });
    api = await startCapturedApi(new ObjectsFile(file), TOKEN, "127.0.0.1", 0);
  });
  afterAll(async () => {
    await api.close();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  test("refuses a request without the bearer token with 401", async () => {
    expect((await get("/api/v1/nodes", null)).status).toBe(401);
    expect((await get("/api/v1/nodes", "wrong")).status).toBe(401);
  });

  test("lists the captured objects, filtered by label selector, with kind and apiVersion on each item", async () => {
    const nodes = (await get("/api/v1/nodes")).json();
    expect(nodes.kind).toBe("NodeList");
    expect(nodes.items.map((n: any) => n.metadata.name)).toEqual(capture.nodes.map((n) => n.name));
    const probes = (await get("/api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dprobe")).json();
    expect(probes.items.map((p: any) => `${p.kind} ${p.metadata.name}`).sort()).toEqual(["Pod probe-66dcp", "Pod probe-bw5wn", "Pod probe-pxxrk"]);
    const slices = (await get("/apis/discovery.k8s.io/v1/namespaces/svclab/endpointslices")).json();
    expect(slices.items).toHaveLength(7);
    expect((await get("/api/v1/namespaces/svclab/services/frontend-lb")).json().status.loadBalancer.ingress).toEqual([{ ip: "198.18.128.10" }]);
    expect((await get("/api/v1/namespaces/svclab/services/nosuch")).status).toBe(404);
    expect((await get("/api/v1/namespaces/svclab/pods?labelSelector=in%20(")).status).toBe(400);
  });

  test("the pods proxy forwards method, path and query to the pod's IP and named port, without the API token", async () => {
    const answer = await request(api.port, "/api/v1/namespaces/svclab/pods/probe-pxxrk:http/proxy/dial?target=x", { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{}" });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ path: "/dial?target=x", method: "POST", auth: null });
    expect((await get("/api/v1/namespaces/svclab/pods/nosuch:3000/proxy/")).status).toBe(404);
  });

  test("the services proxy has no endpoints for an ExternalName or a Service whose pods are all not ready", async () => {
    const external = await get("/api/v1/namespaces/svclab/services/backend-external:http/proxy/");
    expect([external.status, external.json().message]).toEqual([503, 'no endpoints available for service "backend-external"']);
    writeObjectsFile(file, capture.objects("backend-not-ready"));
    const backend = await get("/api/v1/namespaces/svclab/services/backend:http/proxy/");
    expect([backend.status, backend.json().message]).toEqual([503, 'no endpoints available for service "backend"']);
    const pods = (await get("/api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dbackend")).json();
    expect(pods.items.map((p: any) => p.status.conditions.find((c: any) => c.type === "Ready").status)).toEqual(["False", "False"]);
  });
});
