import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
import { discoverOnce, discoverSettled, notSettled } from "../../verifier/discover";
import type { KubeLists } from "../../verifier/kube/api";

const LABELS = { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "backend" };

function node(name: string, ip: string, controlPlane = false): V1Node {
  return {
    metadata: { name, labels: controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {} },
    status: { addresses: [{ type: "Hostname", address: name }, { type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
  };
}

function pod(name: string, nodeName: string, podIP: string, ready: boolean, labels: Record<string, string>, port?: number): V1Pod {
  return {
    metadata: { name, labels },
    spec: { nodeName, containers: [{ name: "app", ...(port !== undefined ? { ports: [{ name: "http", containerPort: port }] } : {}) }] },
    status: { phase: "Running", podIP, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

const SERVICE: V1Service = {
  metadata: { name: "backend" },
  spec: { type: "ClusterIP", clusterIP: "10.96.0.10", selector: LABELS, ports: [{ name: "http", port: 80, targetPort: 3000, protocol: "TCP" }] },
};

function slice(endpoints: V1EndpointSlice["endpoints"]): V1EndpointSlice {
  return {
    addressType: "IPv4",
    metadata: { name: "backend-abc", labels: { "kubernetes.io/service-name": "backend" } },
    ports: [{ name: "http", port: 3000, protocol: "TCP" }],
    endpoints,
  };
}

function lists(overrides: Partial<{ pods: V1Pod[]; agents: V1Pod[]; slices: V1EndpointSlice[] }> = {}): KubeLists & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    nodes: async () => [node("lab-worker", "172.18.0.3"), node("lab-control-plane", "172.18.0.2", true)],
    services: async (namespace, selector) => {
      calls.push(`services ${namespace} ${selector ?? "-"}`);
      return [SERVICE];
    },
    pods: async (_namespace, selector) => {
      calls.push(`pods ${selector}`);
      return selector === "app.kubernetes.io/component=probe"
        ? (overrides.agents ?? [
            pod("probe-a", "lab-worker", "10.244.1.9", true, { "app.kubernetes.io/component": "probe" }, 3000),
            pod("probe-b", "lab-control-plane", "10.244.0.9", true, { "app.kubernetes.io/component": "probe" }),
          ])
        : (overrides.pods ?? [pod("backend-1", "lab-worker", "10.244.1.5", true, LABELS), pod("backend-2", "lab-worker", "10.244.1.6", false, LABELS)]);
    },
    endpointSlices: async () =>
      overrides.slices ?? [
        slice([
          { addresses: ["10.244.1.5"], conditions: { ready: true }, nodeName: "lab-worker", targetRef: { kind: "Pod", name: "backend-1" } },
          { addresses: ["10.244.1.6"], conditions: { ready: false }, nodeName: "lab-worker", targetRef: { kind: "Pod", name: "backend-2" } },
        ]),
      ],
  };
}

const OPTIONS = { context: "kind-lab", server: "https://127.0.0.1:6443", namespace: "svclab", clusterDomain: "cluster.local", selector: "app.kubernetes.io/part-of=svclab" };

describe("discovery", () => {
  test("reads nodes with role and InternalIP, sorted by name", async () => {
    const cluster = await discoverOnce(lists(), OPTIONS);
    expect(cluster.nodes).toEqual([
      { name: "lab-control-plane", role: "control-plane", internalIP: "172.18.0.2", ready: true },
      { name: "lab-worker", role: "worker", internalIP: "172.18.0.3", ready: true },
    ]);
  });

  test("lists Services with the selector, and each Service's pods with its own selector", async () => {
    const l = lists();
    await discoverOnce(l, OPTIONS);
    expect(l.calls).toEqual(
      expect.arrayContaining(["services svclab app.kubernetes.io/part-of=svclab", "pods app.kubernetes.io/part-of=svclab,app.kubernetes.io/component=backend"]),
    );
  });

  test("keeps only ready EndpointSlice endpoints, with pod name, node and resolved port", async () => {
    const [backend] = (await discoverOnce(lists(), OPTIONS)).services;
    expect(backend?.endpoints).toEqual([{ address: "10.244.1.5", podName: "backend-1", nodeName: "lab-worker", ports: { http: 3000 } }]);
    expect(backend?.pods.map((p) => [p.name, p.ready])).toEqual([
      ["backend-1", true],
      ["backend-2", false],
    ]);
    expect(backend?.service).toMatchObject({ type: "ClusterIP", headless: false, sessionAffinity: "None", externalTrafficPolicy: "Cluster" });
  });

  test("finds one probe agent per node and its http port, 3000 when the pod names none", async () => {
    const { agents } = await discoverOnce(lists(), OPTIONS);
    expect(agents.map((a) => [a.pod, a.nodeName, a.port, a.ready])).toEqual([
      ["probe-a", "lab-worker", 3000, true],
      ["probe-b", "lab-control-plane", 3000, true],
    ]);
  });

  test("is settled when every node has an agent and endpoints list exactly the ready pods", async () => {
    expect(notSettled(await discoverOnce(lists(), OPTIONS))).toEqual([]);
  });

  test("names what is not settled: a node without an agent and endpoints that lag behind the pods", async () => {
    const cluster = await discoverOnce(lists({ agents: [], slices: [] }), OPTIONS);
    expect(notSettled(cluster)).toEqual([
      "node lab-control-plane has no ready probe agent",
      "node lab-worker has no ready probe agent",
      "endpoints of svclab/backend do not yet list exactly its ready pods",
    ]);
  });

  test("stops waiting at the deadline and returns what is still not settled", async () => {
    const { unsettled } = await discoverSettled(lists({ agents: [] }), OPTIONS, Date.now());
    expect(unsettled).toHaveLength(2);
  });
});
