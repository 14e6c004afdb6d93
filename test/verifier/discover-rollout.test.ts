/**
 * Discovery during a rollout, on the objects a real v1.24 control plane wrote
 * (test/fixtures/real-cluster-v1.24), changed the way the real controllers
 * change them: a pod being deleted (deletionTimestamp set, its EndpointSlice
 * endpoint `ready: false, serving: true, terminating: true`), a headless
 * Service with publishNotReadyAddresses, a node whose kubelet stopped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
import { discoverOnce, notSettled } from "../../verifier/discover";
import type { KubeLists } from "../../verifier/kube/api";

const CAPTURE = path.resolve(__dirname, "..", "fixtures", "real-cluster-v1.24");

function items<T>(file: string): T[] {
  return (JSON.parse(fs.readFileSync(path.join(CAPTURE, file), "utf8")) as { items: T[] }).items;
}

interface Capture {
  nodes: V1Node[];
  services: V1Service[];
  slices: V1EndpointSlice[];
  pods: V1Pod[];
}

function capture(): Capture {
  return { nodes: items("nodes.json"), services: items("services.json"), slices: items("endpointslices.json"), pods: items("pods.json") };
}

function matches(labels: Record<string, string> | undefined, selector: string): boolean {
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return labels?.[key as string] === value;
  });
}

function lists(c: Capture): KubeLists {
  return {
    nodes: async () => c.nodes,
    services: async () => c.services,
    endpointSlices: async () => c.slices,
    pods: async (_namespace, selector) => c.pods.filter((p) => selector === undefined || matches(p.metadata?.labels, selector)),
  } as KubeLists;
}

const OPTIONS = { context: "kind-svclab", server: "https://198.18.0.2:6443", namespace: "svclab", clusterDomain: "cluster.local" };
const LEAVING = "backend-7f89bbcf88-2pxzm";

/** What the v1.24 EndpointSlice controller writes for a pod being deleted that still passes its readiness probe. */
function terminate(c: Capture, podName: string): void {
  const pod = c.pods.find((p) => p.metadata?.name === podName)!;
  pod.metadata!.deletionTimestamp = new Date("2026-12-02T04:30:00Z");
  for (const slice of c.slices) {
    for (const endpoint of slice.endpoints) {
      if (endpoint.targetRef?.name === podName) endpoint.conditions = { ready: false, serving: true, terminating: true };
    }
  }
}

describe("discovery during a rollout (real v1.24 objects)", () => {
  test("a serving-but-terminating endpoint is kept apart from the ready ones", async () => {
    const c = capture();
    terminate(c, LEAVING);
    const cluster = await discoverOnce(lists(c), OPTIONS);
    const backend = cluster.services.find((s) => s.service.name === "backend")!;
    expect(backend.endpoints.map((e) => e.podName)).toEqual(["backend-7f89bbcf88-w85sl"]);
    expect(backend.servingTerminating).toEqual([
      { address: "198.18.65.10", podName: LEAVING, nodeName: "svclab-worker", ports: { http: 3000 } },
    ]);
    // A not-ready endpoint that is not serving is neither.
    const frontend = cluster.services.find((s) => s.service.name === "frontend-nodeport")!;
    expect(frontend.servingTerminating).toBeUndefined();
    expect(notSettled(cluster)).toEqual([]);
  });

  test("publishNotReadyAddresses is read, and endpoints of not-ready pods are then what the cluster should show", async () => {
    const c = capture();
    const headless = c.services.find((s) => s.metadata?.name === "backend-headless")!;
    headless.spec!.publishNotReadyAddresses = true;
    // Both backend pods turn not ready; the controller still marks them ready for this Service only.
    for (const pod of c.pods.filter((p) => p.metadata?.labels?.["app.kubernetes.io/component"] === "backend")) {
      pod.status!.conditions = pod.status!.conditions!.map((cond) => (cond.type === "Ready" ? { ...cond, status: "False" } : cond));
    }
    const notReady = items<V1EndpointSlice>("backend-not-ready/endpointslices.json");
    c.slices = [
      ...notReady.filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] !== "backend-headless"),
      ...notReady
        .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === "backend-headless")
        .map((s) => ({ ...s, endpoints: s.endpoints.map((e) => ({ ...e, conditions: { ready: true, serving: false, terminating: false } })) })),
    ];
    const cluster = await discoverOnce(lists(c), OPTIONS);
    const state = cluster.services.find((s) => s.service.name === "backend-headless")!;
    expect(state.service.publishNotReadyAddresses).toBe(true);
    expect(state.endpoints.map((e) => e.address).sort()).toEqual(["198.18.65.10", "198.18.66.10"]);
    expect(cluster.services.find((s) => s.service.name === "backend")!.service.publishNotReadyAddresses).toBeUndefined();
    expect(notSettled(cluster)).toEqual([]);
  });

  test("a NotReady node carries its Ready condition's status, reason and message, and its agent is not waited for", async () => {
    const c = capture();
    const worker2 = c.nodes.find((n) => n.metadata?.name === "svclab-worker2")!;
    worker2.status!.conditions = [
      { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: new Date("2026-12-02T04:22:07Z"), lastTransitionTime: new Date("2026-12-02T04:31:00Z") },
    ];
    c.pods = c.pods.filter((p) => p.metadata?.name !== "probe-66dcp");
    const cluster = await discoverOnce(lists(c), OPTIONS);
    expect(cluster.nodes.map((n) => [n.name, n.ready, n.notReady])).toEqual([
      ["svclab-control-plane", true, undefined],
      ["svclab-worker", true, undefined],
      ["svclab-worker2", false, "node svclab-worker2 is NotReady (Ready=Unknown): NodeStatusUnknown: Kubelet stopped posting node status."],
    ]);
    expect(notSettled(cluster)).toEqual([]);
  });
});
