/**
 * Self-tests of the stand-in's rollout and node variants: what a real
 * Kubernetes client reads must be what the real controllers write (the
 * EndpointSlice controller's podToEndpoint, the Endpoints controller, a
 * kubelet's NotReady condition), or the verifier's end-to-end tests on them
 * prove nothing.
 */
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from "@kubernetes/client-node";
import { buildWorld, defaultWorldSpec, type World } from "../support/standin";

jest.setTimeout(120000);

function clientsOf(world: World) {
  const kc = new KubeConfig();
  kc.loadFromFile(world.kubeconfigPath);
  return { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api) };
}

describe("stand-in rollout and node variants, as a Kubernetes client reads them", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld({
      nodes: defaultWorldSpec().nodes.map((n) => (n.name === "svclab-worker2" ? { ...n, notReady: { reason: "KubeletNotReady", message: "container runtime is down" } } : n)),
      workloads: [{ component: "backend", replicas: 3, terminating: [0], notReady: [2] }],
      services: [
        { name: "backend", kind: "ClusterIP", over: "backend" },
        { name: "backend-headless", kind: "Headless", over: "backend", publishNotReadyAddresses: true },
      ],
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  test("a terminating pod has a deletionTimestamp and is published ready: false, serving: true, terminating: true", async () => {
    const { core, discovery } = clientsOf(world);
    const leaving = world.pods("backend")[0]!;
    const pod = await core.readNamespacedPod({ name: leaving.name, namespace: world.namespace });
    expect(pod.metadata?.deletionTimestamp).toBeDefined();
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: world.namespace, labelSelector: "kubernetes.io/service-name=backend" });
    const endpoint = slices.items.flatMap((s) => s.endpoints).find((e) => e.targetRef?.name === leaving.name);
    expect(endpoint?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    // The legacy Endpoints object leaves a terminating pod out altogether.
    const endpoints = await core.readNamespacedEndpoints({ name: "backend", namespace: world.namespace });
    const listed = (endpoints.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a) => a.targetRef?.name);
    expect(listed).not.toContain(leaving.name);
  });

  test("publishNotReadyAddresses: every selected pod is ready in the slice, the Service says so", async () => {
    const { core, discovery } = clientsOf(world);
    const service = await core.readNamespacedService({ name: "backend-headless", namespace: world.namespace });
    expect(service.spec?.publishNotReadyAddresses).toBe(true);
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: world.namespace, labelSelector: "kubernetes.io/service-name=backend-headless" });
    const conditions = slices.items.flatMap((s) => s.endpoints).map((e) => e.conditions?.ready);
    expect(conditions).toEqual([true, true, true]);
  });

  test("a NotReady node reports Ready=False with its reason and message, and its pods are not ready", async () => {
    const { core } = clientsOf(world);
    const node = await core.readNode({ name: "svclab-worker2" });
    expect(node.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "KubeletNotReady", message: "container runtime is down" });
    const onIt = world.pods().filter((p) => p.node === "svclab-worker2");
    expect(onIt.length).toBeGreaterThan(0);
    expect(onIt.map((p) => p.ready)).toEqual(onIt.map(() => false));
  });
});
