/**
 * Self-tests of the loopback stand-in world: it must look like the svclab lab
 * on kind to a real Kubernetes client, and its data plane must behave like
 * kube-proxy, or the verifier's end-to-end tests prove nothing.
 */
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from "@kubernetes/client-node";
import { buildWorld, httpProbe, type World } from "../support/standin";

const NS = "svclab";

function clientsOf(world: World) {
  const kc = new KubeConfig();
  kc.loadFromFile(world.kubeconfigPath);
  return { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api) };
}

// Answers get generous limits (a loaded machine is slow, never wrong); expected silences pass short ones.
jest.setTimeout(240000);

/** A GET through the fake API with its bearer token and, as the verifier sends it, the probe agents' token. */
function apiGet(world: World, path: string, timeoutMs = 20000, probeToken: string | null = world.probeToken) {
  const agentHeader: Record<string, string> = probeToken === null ? {} : { "x-svclab-probe-token": probeToken };
  return httpProbe(`${world.api.url}${path}`, { timeoutMs, headers: { authorization: `Bearer ${world.api.token}`, ...agentHeader } });
}

describe("the default stand-in world (the svclab lab)", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test("a real Kubernetes client lists three nodes with loopback InternalIPs, one of them the control plane", async () => {
    const { core } = clientsOf(world);
    const nodes = await core.listNode();
    expect(nodes.kind).toBe("NodeList");
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["svclab-control-plane", "svclab-worker", "svclab-worker2"]);
    const ips = nodes.items.map((n) => n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "");
    expect(ips.every((ip) => ip.startsWith(`127.${world.addresses.slice}.`))).toBe(true);
    expect(nodes.items[0].metadata?.labels).toHaveProperty(["node-role.kubernetes.io/control-plane"], "");
    expect(nodes.items.every((n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True")).toBe(true);
  });

  test("the Service catalog is listed by label with the contract's types, ports and nodePort 30080", async () => {
    const { core } = clientsOf(world);
    const list = await core.listNamespacedService({ namespace: NS, labelSelector: "app.kubernetes.io/part-of=svclab" });
    const byName = new Map(list.items.map((s) => [s.metadata?.name, s]));
    expect([...byName.keys()].sort()).toEqual(["backend", "backend-external", "backend-headless", "frontend-internal-local", "frontend-lb", "frontend-local", "frontend-nodeport", "frontend-sticky"]);
    expect(byName.get("frontend-nodeport")?.spec?.ports?.[0]).toMatchObject({ name: "http", port: world.servicePort, targetPort: 3000, nodePort: 30080 });
    expect(byName.get("backend-headless")?.spec?.clusterIP).toBe("None");
    expect(byName.get("backend-external")?.spec).toMatchObject({ type: "ExternalName", externalName: "backend.svclab.svc.cluster.local" });
    expect(byName.get("frontend-lb")?.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^127\./);
    expect(byName.get("frontend-local")?.spec?.externalTrafficPolicy).toBe("Local");
    expect(byName.get("frontend-sticky")?.spec?.sessionAffinity).toBe("ClientIP");
    expect(byName.get("frontend-internal-local")?.spec?.internalTrafficPolicy).toBe("Local");
    const frontendOnly = await core.listNamespacedService({ namespace: NS, labelSelector: "app.kubernetes.io/component=frontend" });
    expect(frontendOnly.items.every((s) => s.metadata?.name?.startsWith("frontend"))).toBe(true);
  });

  test("EndpointSlices selected by kubernetes.io/service-name list the ready pods with their nodes", async () => {
    const { core, discovery } = clientsOf(world);
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: "kubernetes.io/service-name=backend" });
    expect(slices.items).toHaveLength(1);
    const endpoints = slices.items[0].endpoints;
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app.kubernetes.io/component=backend" });
    expect(endpoints.map((e) => e.addresses[0]).sort()).toEqual(pods.items.map((p) => p.status?.podIP).sort());
    expect(endpoints.every((e) => e.conditions?.ready === true && e.targetRef?.kind === "Pod")).toBe(true);
    expect(new Set(endpoints.map((e) => e.nodeName))).toEqual(new Set(["svclab-worker", "svclab-worker2"]));
    expect(slices.items[0].ports?.[0]).toMatchObject({ name: "http", port: 3000 });
  });

  test("one probe agent runs on every node, the control plane included", async () => {
    const { core } = clientsOf(world);
    const agents = await core.listNamespacedPod({ namespace: NS, labelSelector: "app.kubernetes.io/component=probe" });
    expect(agents.items.map((p) => p.spec?.nodeName).sort()).toEqual(["svclab-control-plane", "svclab-worker", "svclab-worker2"]);
  });

  test("a request without the bearer token gets 401 Unauthorized as a Status", async () => {
    const answer = await httpProbe(`${world.api.url}/api/v1/nodes`);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
  });

  test("an unknown Service is 404 NotFound naming it", async () => {
    const { core } = clientsOf(world);
    await expect(core.readNamespacedService({ namespace: NS, name: "nope" })).rejects.toMatchObject({ code: 404 });
    const answer = await apiGet(world, "/api/v1/namespaces/svclab/services/nope");
    expect(answer.body).toMatchObject({ kind: "Status", reason: "NotFound", message: 'services "nope" not found' });
  });

  test("the pods proxy reaches a probe agent, whose cluster DNS resolves backend to its ClusterIP", async () => {
    const agent = world.pods("probe")[0];
    const answer = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}:3000/proxy/resolve?name=backend.svclab.svc.cluster.local`);
    expect(answer.body).toEqual({ name: "backend.svclab.svc.cluster.local", type: "A", ok: true, records: [world.service("backend").clusterIP] });
    const missing = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}:3000/proxy/resolve?name=nothing.svclab.svc.cluster.local`);
    expect(missing.body).toMatchObject({ ok: false, error: "nxdomain" });
  });

  test("headless resolves to the ready backend pod IPs and ExternalName to a CNAME", async () => {
    const agent = world.pods("probe")[1];
    const headless = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}/proxy/resolve?name=backend-headless.svclab.svc.cluster.local`);
    expect([...headless.body.records].sort()).toEqual(world.pods("backend").map((p) => p.podIP).sort());
    const cname = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}/proxy/resolve?name=backend-external.svclab.svc.cluster.local&type=CNAME`);
    expect(cname.body.records).toEqual(["backend.svclab.svc.cluster.local"]);
  });

  test("a probe agent's dial to the backend ClusterIP is answered by a backend pod that sees the agent's pod IP", async () => {
    const agent = world.pods("probe")[1];
    const target = encodeURIComponent(`http://${world.service("backend").clusterIP}:${world.servicePort}/`);
    const answer = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}:3000/proxy/dial?target=${target}&count=4&timeoutMs=5000`);
    expect(answer.status).toBe(200);
    const backendPods = world.pods("backend").map((p) => p.name);
    for (const attempt of answer.body.attempts) {
      expect(attempt).toMatchObject({ ok: true, status: 200, error: null });
      expect(backendPods).toContain(attempt.identity.pod);
      expect(attempt.identity.listenPort).toBe(3000);
      expect(attempt.identity.client.address).toBe(agent.podIP);
    }
  });

  test("a probe agent asked without the probe token, or with another, answers 401 through the pods proxy and dials nothing", async () => {
    const agent = world.pods("probe")[1];
    const backend = world.pods("backend")[0];
    const before = await apiGet(world, `/api/v1/namespaces/svclab/pods/${backend.name}:3000/proxy/`);
    const target = encodeURIComponent(`http://${backend.podIP}:3000/`);
    for (const token of [null, "not-the-token-of-this-lab"]) {
      const answer = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}:3000/proxy/dial?target=${target}`, 20000, token);
      expect(answer.status).toBe(401);
      expect(answer.body.error.header).toBe("x-svclab-probe-token");
    }
    // The backend's own count of identity answers moved by exactly one: ours, after the refusals.
    const after = await apiGet(world, `/api/v1/namespaces/svclab/pods/${backend.name}:3000/proxy/`);
    expect(after.body.served).toBe(before.body.served + 1);
  });

  test("the API serves the probe token as Secret svclab-probe-token to a client that may read it", async () => {
    const { core } = clientsOf(world);
    const secret = await core.readNamespacedSecret({ name: "svclab-probe-token", namespace: "svclab" });
    expect(Buffer.from(secret.data?.token ?? "", "base64").toString("utf8")).toBe(world.probeToken);
  });

  test("sessionAffinity ClientIP keeps one agent on one frontend pod; without it the agent's requests spread", async () => {
    const agent = world.pods("probe")[0];
    const dial = async (service: string) => {
      const target = encodeURIComponent(`http://${service}.svclab.svc.cluster.local:${world.servicePort}/`);
      const answer = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}/proxy/dial?target=${target}&count=30&timeoutMs=5000`, 100000);
      return new Set(answer.body.attempts.map((a: any) => a.identity?.pod));
    };
    expect((await dial("frontend-sticky")).size).toBe(1);
    expect((await dial("frontend-nodeport")).size).toBeGreaterThanOrEqual(2);
  });

  test("internalTrafficPolicy Local answers only from same-node pods and drops on a node without one", async () => {
    const worker = world.pods("probe").find((p) => p.node === "svclab-worker")!;
    const controlPlane = world.pods("probe").find((p) => p.node === "svclab-control-plane")!;
    const target = encodeURIComponent(`http://${world.service("frontend-internal-local").clusterIP}:${world.servicePort}/`);
    const local = await apiGet(world, `/api/v1/namespaces/svclab/pods/${worker.name}/proxy/dial?target=${target}&count=10&timeoutMs=5000`, 100000);
    expect(new Set(local.body.attempts.map((a: any) => a.identity.node))).toEqual(new Set(["svclab-worker"]));
    const none = await apiGet(world, `/api/v1/namespaces/svclab/pods/${controlPlane.name}/proxy/dial?target=${target}&timeoutMs=200`);
    expect(none.body.attempts[0]).toMatchObject({ ok: false, error: "timeout" });
  });

  test("the services proxy answers with a frontend identity, and ExternalName has no endpoints (503)", async () => {
    const answer = await apiGet(world, "/api/v1/namespaces/svclab/services/frontend-nodeport:http/proxy/");
    expect(answer.status).toBe(200);
    expect(answer.body.role).toBe("frontend");
    expect(answer.body.backend.role).toBe("backend");
    const external = await apiGet(world, "/api/v1/namespaces/svclab/services/backend-external:http/proxy/");
    expect(external.status).toBe(503);
    expect(external.body).toMatchObject({ kind: "Status", message: 'no endpoints available for service "backend-external"', code: 503 });
  });

  test("from outside, nodePort 30080 answers on every node and the pod sees the node's address (SNAT)", async () => {
    for (const node of world.state.nodes) {
      const answer = await httpProbe(`http://${node.ip}:30080/`);
      expect(answer.status).toBe(200);
      expect(answer.body.role).toBe("frontend");
      expect(answer.body.client.address).toBe(node.ip);
    }
  });

  test("from outside, externalTrafficPolicy Local answers only on nodes with a local pod, showing the real client", async () => {
    const nodePort = world.service("frontend-local").nodePort!;
    const [controlPlane, ...workers] = world.state.nodes;
    for (const node of workers) {
      const answer = await httpProbe(`http://${node.ip}:${nodePort}/`);
      expect(answer.body.node).toBe(node.name);
      expect(answer.body.client.address).toBe("127.0.0.1");
    }
    expect(await httpProbe(`http://${controlPlane.ip}:${nodePort}/`, { timeoutMs: 300 })).toEqual({ error: "TIMEOUT" });
  });

  test("from outside, the LoadBalancer address answers; ClusterIPs and pod IPs are a silent blackhole; other node ports refuse", async () => {
    const lb = await httpProbe(`http://${world.service("frontend-lb").loadBalancerIP}:${world.servicePort}/`);
    expect(lb.body.role).toBe("frontend");
    expect(await httpProbe(`http://${world.service("backend").clusterIP}:${world.servicePort}/`, { timeoutMs: 300 })).toEqual({ error: "TIMEOUT" });
    expect(await httpProbe(`http://${world.pods("backend")[0].podIP}:3000/`, { timeoutMs: 300 })).toEqual({ error: "TIMEOUT" });
    expect(await httpProbe(`http://${world.state.nodes[1].ip}:${world.servicePort}/`)).toEqual({ error: "ECONNREFUSED" });
  });
});

describe("stand-in worlds that change", () => {
  test("a not-ready pod leaves the endpoints, and a Service without ready endpoints refuses from a pod", async () => {
    const world = await buildWorld();
    try {
      const { discovery } = clientsOf(world);
      for (const pod of world.pods("backend")) await world.setPodReady(pod.name, false);
      const slices = await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: "kubernetes.io/service-name=backend" });
      expect(slices.items[0].endpoints.every((e) => e.conditions?.ready === false)).toBe(true);
      const agent = world.pods("probe")[0];
      const target = encodeURIComponent(`http://backend.svclab.svc.cluster.local:${world.servicePort}/`);
      const answer = await apiGet(world, `/api/v1/namespaces/svclab/pods/${agent.name}/proxy/dial?target=${target}&timeoutMs=5000`);
      expect(answer.body.attempts[0]).toMatchObject({ ok: false, error: "refused" });
      const viaProxy = await apiGet(world, "/api/v1/namespaces/svclab/services/backend:http/proxy/");
      expect(viaProxy.body).toMatchObject({ code: 503, message: 'no endpoints available for service "backend"' });
    } finally {
      await world.close();
    }
  });

  test("a replaced pod has a new name and IP, and the endpoints follow it", async () => {
    const world = await buildWorld();
    try {
      const { discovery } = clientsOf(world);
      const old = world.pods("backend")[0];
      const fresh = await world.replacePod(old.name);
      expect(fresh.podIP).not.toBe(old.podIP);
      const slices = await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: "kubernetes.io/service-name=backend" });
      const addresses = slices.items[0].endpoints.map((e) => e.addresses[0]);
      expect(addresses).toContain(fresh.podIP);
      expect(addresses).not.toContain(old.podIP);
    } finally {
      await world.close();
    }
  });

  test("403 and 500 switches make a real client fail with that code", async () => {
    const world = await buildWorld();
    try {
      const { core } = clientsOf(world);
      world.api.failWith(403);
      await expect(core.listNamespacedService({ namespace: NS })).rejects.toMatchObject({ code: 403 });
      world.api.failWith(500);
      await expect(core.listNode()).rejects.toMatchObject({ code: 500 });
    } finally {
      await world.close();
    }
  });

  test("a world whose blackhole is 'refuse' refuses at ClusterIPs, and after close nothing answers", async () => {
    const world = await buildWorld({ outsideBlackhole: "refuse" });
    const clusterIP = world.service("backend").clusterIP!;
    const nodeIP = world.state.nodes[0].ip;
    expect(await httpProbe(`http://${clusterIP}:${world.servicePort}/`)).toEqual({ error: "ECONNREFUSED" });
    await world.close();
    expect(await httpProbe(`http://${nodeIP}:30080/`)).toEqual({ error: "ECONNREFUSED" });
  });

  test("two worlds built at once get different address slices", async () => {
    const [a, b] = await Promise.all([buildWorld(), buildWorld()]);
    try {
      expect(a.addresses.slice).not.toBe(b.addresses.slice);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
