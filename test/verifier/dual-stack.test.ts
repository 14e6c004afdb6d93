/**
 * IPv6 and dual-stack clusters: discovery keeps every family (node
 * InternalIPs, spec.clusterIPs, one EndpointSlice per family), and the
 * planner probes each: every ClusterIP, node addresses of the Service's
 * families, A and AAAA records. Object shapes follow what a dual-stack API
 * server returns (https://kubernetes.io/docs/concepts/services-networking/dual-stack/).
 */
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
import { discoverOnce, notSettled } from "../../verifier/discover";
import type { KubeLists } from "../../verifier/kube/api";
import type { ServiceInfo } from "../../verifier/model";
import { planProbes } from "../../verifier/plan";
import { cluster, NODES, nodePorts, PLAN_DEFAULTS, service, state } from "./fixtures";

const LABELS = { "app.kubernetes.io/component": "backend" };

const DUAL_NODE: V1Node = {
  metadata: { name: "lab-worker" },
  status: {
    addresses: [{ type: "InternalIP", address: "172.18.0.3" }, { type: "InternalIP", address: "fc00:f853:ccd:e793::3" }, { type: "Hostname", address: "lab-worker" }],
    conditions: [{ type: "Ready", status: "True" }],
  },
};

const DUAL_SERVICE: V1Service = {
  metadata: { name: "backend" },
  spec: {
    type: "ClusterIP",
    clusterIP: "10.96.0.10",
    clusterIPs: ["10.96.0.10", "fd00:10:96::a"],
    ipFamilies: ["IPv4", "IPv6"],
    ipFamilyPolicy: "PreferDualStack",
    selector: LABELS,
    ports: [{ name: "http", port: 80, targetPort: 3000, protocol: "TCP" }],
  },
};

function slice(addressType: "IPv4" | "IPv6", address: string): V1EndpointSlice {
  return {
    addressType,
    metadata: { name: `backend-${addressType}`, labels: { "kubernetes.io/service-name": "backend" } },
    ports: [{ name: "http", port: 3000, protocol: "TCP" }],
    endpoints: [{ addresses: [address], conditions: { ready: true }, nodeName: "lab-worker", targetRef: { kind: "Pod", name: "backend-1" } }],
  };
}

const POD: V1Pod = {
  metadata: { name: "backend-1", labels: LABELS },
  spec: { nodeName: "lab-worker", containers: [{ name: "app" }] },
  status: { phase: "Running", podIP: "10.244.1.5", podIPs: [{ ip: "10.244.1.5" }, { ip: "fd00:10:244:1::5" }], conditions: [{ type: "Ready", status: "True" }] },
};

function lists(slices: V1EndpointSlice[]): KubeLists {
  return {
    nodes: async () => [DUAL_NODE],
    services: async () => [DUAL_SERVICE],
    pods: async (_ns, selector) => (selector.includes("probe") ? [] : [POD]),
    endpointSlices: async () => slices,
  };
}

const OPTIONS = { context: "kind-lab", server: "https://127.0.0.1:6443", namespace: "svclab", clusterDomain: "cluster.local" };

describe("discovery on a dual-stack cluster", () => {
  test("keeps a node's InternalIP of each family, the Service's ClusterIPs and families, and one endpoint per pod with both addresses", async () => {
    // The IPv6 slice first: the endpoint's address must still be the primary (IPv4) one.
    const found = await discoverOnce(lists([slice("IPv6", "fd00:10:244:1::5"), slice("IPv4", "10.244.1.5")]), OPTIONS);
    expect(found.nodes[0]).toMatchObject({ internalIP: "172.18.0.3", internalIPs: ["172.18.0.3", "fc00:f853:ccd:e793::3"] });
    expect(found.services[0]?.service).toMatchObject({ clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10", "fd00:10:96::a"], ipFamilies: ["IPv4", "IPv6"] });
    expect(found.services[0]?.endpoints).toEqual([
      { address: "10.244.1.5", addresses: ["10.244.1.5", "fd00:10:244:1::5"], podName: "backend-1", nodeName: "lab-worker", ports: { http: 3000 } },
    ]);
  });

  test("waits for each family's EndpointSlice: an IPv6 slice that does not list the pod yet keeps the cluster unsettled", async () => {
    const lagging = { ...slice("IPv6", "fd00:10:244:1::5"), endpoints: [] };
    // These lists hold no probe agent; only what the endpoints wait for matters here.
    const endpointsWaiting = async (slices: V1EndpointSlice[]) => notSettled(await discoverOnce(lists(slices), OPTIONS)).filter((w) => w.includes("endpoints"));
    expect(await endpointsWaiting([slice("IPv4", "10.244.1.5"), lagging])).toEqual([
      "IPv6 endpoints of svclab/backend do not yet list exactly its ready pods with an IPv6 address",
    ]);
    expect(await endpointsWaiting([slice("IPv4", "10.244.1.5"), slice("IPv6", "fd00:10:244:1::5")])).toEqual([]);
  });

  test("keeps a pod's address of each family (status.podIPs, primary first)", async () => {
    const found = await discoverOnce(lists([slice("IPv4", "10.244.1.5"), slice("IPv6", "fd00:10:244:1::5")]), OPTIONS);
    expect(found.services[0]?.pods).toEqual([
      { name: "backend-1", podIP: "10.244.1.5", podIPs: ["10.244.1.5", "fd00:10:244:1::5"], nodeName: "lab-worker", ready: true, phase: "Running", terminating: false },
    ]);
  });
});

const DUAL_NODES = NODES.map((n, i) => ({ ...n, internalIPs: [n.internalIP as string, `fc00::${i + 2}`] }));
const dualInfo = (overrides: Partial<ServiceInfo> & { name: string }): ServiceInfo =>
  service({ clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10", "fd00:10:96::a"], ipFamilies: ["IPv4", "IPv6"], ...overrides });

function dualState(info: ServiceInfo) {
  const base = state(info);
  return { ...base, endpoints: base.endpoints.map((e, i) => ({ ...e, addresses: [e.address, `fd00:10:244:${i + 1}::5`] })) };
}

describe("the planner on a dual-stack cluster", () => {
  const plan = (info: ServiceInfo) => planProbes({ ...cluster([dualState(info)]), nodes: DUAL_NODES }, PLAN_DEFAULTS);

  test("probes every ClusterIP, the IPv6 one under its own id", () => {
    const probes = plan(dualInfo({ name: "web" }));
    const urls = probes.filter((p) => p.rule === "clusterip-from-pod" && p.from === "lab-worker").map((p) => `${p.id} ${p.target.kind === "http" ? p.target.url : ""}`);
    expect(urls).toEqual(["web/cluster-ip:80/pod:lab-worker http://10.96.0.10:80/?backend=skip", "web/cluster-ip:ipv6:80/pod:lab-worker http://[fd00:10:96::a]:80/?backend=skip"]);
    expect(probes.filter((p) => p.rule === "clusterip-not-from-outside").map((p) => p.id)).toEqual(["web/cluster-ip:80/outside", "web/cluster-ip:ipv6:80/outside"]);
  });

  test("resolves the name as A and AAAA, each to its ClusterIP", () => {
    // DNS is asked from every node; the control plane's agent stands for them here.
    const dns = plan(dualInfo({ name: "web" })).filter((p) => p.rule === "dns-resolves-in-cluster" && p.from === "lab-control-plane");
    expect(dns.map((p) => [p.id, p.target.kind === "resolve" ? p.target.recordType : "", p.expect])).toEqual([
      ["web/dns:web.svclab.svc.cluster.local/pod:lab-control-plane", "A", { kind: "resolves-to", records: ["10.96.0.10"] }],
      ["web/dns:web.svclab.svc.cluster.local:aaaa/pod:lab-control-plane", "AAAA", { kind: "resolves-to", records: ["fd00:10:96::a"] }],
    ]);
  });

  test("probes a dual-stack node port on every node's address of each family; a single-stack one on its family only", () => {
    const dual = plan(dualInfo({ name: "np", type: "NodePort", ports: nodePorts(30080) })).filter((p) => p.rule === "nodeport-from-outside");
    expect(dual.map((p) => (p.target.kind === "http" ? p.target.url : ""))).toEqual([
      "http://172.18.0.2:30080/?backend=skip", "http://[fc00::2]:30080/?backend=skip", "http://172.18.0.3:30080/?backend=skip", "http://[fc00::3]:30080/?backend=skip", "http://172.18.0.4:30080/?backend=skip", "http://[fc00::4]:30080/?backend=skip",
    ]);
    expect(dual.map((p) => p.id)).toContain("np/node-port:lab-worker:http:ipv6/outside");
    const single = plan(service({ name: "np4", type: "NodePort", ports: nodePorts(30081) })).filter((p) => p.rule === "nodeport-from-outside");
    expect(single.map((p) => p.id)).toEqual(["np4/node-port:lab-control-plane:http/outside", "np4/node-port:lab-worker:http/outside", "np4/node-port:lab-worker2:http/outside"]);
  });

  test("a headless dual-stack name has A records of the IPv4 pod addresses and AAAA of the IPv6 ones", () => {
    const headless = plan(service({ name: "hl", clusterIP: "None", headless: true, ipFamilies: ["IPv4", "IPv6"] })).filter((p) => p.rule === "headless-a-records" && p.from === "lab-control-plane");
    expect(headless.map((p) => [p.target.kind === "resolve" ? p.target.recordType : "", p.expect])).toEqual([
      ["A", { kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6"] }],
      ["AAAA", { kind: "resolves-to", records: ["fd00:10:244:1::5", "fd00:10:244:2::5"] }],
    ]);
  });

  test("probes each pod IP in every family, the IPv6 one under an id naming the family, expecting that pod", () => {
    const probes = plan(dualInfo({ name: "web" }));
    const fromWorker = probes.filter((p) => p.rule === "pod-ip-from-pod" && p.from === "lab-worker");
    expect(fromWorker.map((p) => [p.id, p.target.kind === "http" ? p.target.url : "", p.subject, p.expect])).toEqual([
      ["web/pod:lab-worker#1:3000/pod:lab-worker", "http://10.244.1.5:3000/?backend=skip", "pod frontend-a (10.244.1.5)",
        { kind: "reach", endpoints: [{ podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" }] }],
      ["web/pod:lab-worker#1:ipv6:3000/pod:lab-worker", "http://[fd00:10:244:1::5]:3000/?backend=skip", "pod frontend-a (fd00:10:244:1::5)",
        { kind: "reach", endpoints: [{ podName: "frontend-a", address: "fd00:10:244:1::5", nodeName: "lab-worker" }] }],
      ["web/pod:lab-worker2#1:3000/pod:lab-worker", "http://10.244.2.6:3000/?backend=skip", "pod frontend-b (10.244.2.6)",
        { kind: "reach", endpoints: [{ podName: "frontend-b", address: "10.244.2.6", nodeName: "lab-worker2" }] }],
      ["web/pod:lab-worker2#1:ipv6:3000/pod:lab-worker", "http://[fd00:10:244:2::5]:3000/?backend=skip", "pod frontend-b (fd00:10:244:2::5)",
        { kind: "reach", endpoints: [{ podName: "frontend-b", address: "fd00:10:244:2::5", nodeName: "lab-worker2" }] }],
    ]);
    expect(probes.filter((p) => p.rule === "pod-ip-not-from-outside").map((p) => p.id)).toEqual([
      "web/pod:lab-worker#1:3000/outside", "web/pod:lab-worker#1:ipv6:3000/outside", "web/pod:lab-worker2#1:3000/outside", "web/pod:lab-worker2#1:ipv6:3000/outside",
    ]);
  });

  test("a single-stack Service's pod IPs keep their ids and get no IPv6 probe or slice check", () => {
    const probes = planProbes({ ...cluster([state(service({ name: "web" }))]), nodes: DUAL_NODES }, PLAN_DEFAULTS);
    expect(probes.filter((p) => p.rule === "pod-ip-not-from-outside").map((p) => p.id)).toEqual(["web/pod:lab-worker#1:3000/outside", "web/pod:lab-worker2#1:3000/outside"]);
    expect(probes.filter((p) => p.rule === "endpoints-match-selector").map((p) => p.id)).toEqual(["web/endpoints/api"]);
  });

  /** frontend-b is in the IPv4 EndpointSlice only: the IPv6 slice lists frontend-a alone. */
  function missingFromIPv6Slice() {
    const info = dualInfo({ name: "web", type: "NodePort", ports: nodePorts(30080) });
    const base = dualState(info);
    const pods = base.pods.map((p, i) => ({ ...p, podIPs: [p.podIP as string, `fd00:10:244:${i + 1}::5`] }));
    const endpoints = base.endpoints.map((e) => (e.podName === "frontend-b" ? { ...e, addresses: undefined } : e));
    return planProbes({ ...cluster([{ ...base, pods, endpoints }]), nodes: DUAL_NODES }, PLAN_DEFAULTS);
  }

  test("expected endpoints per family follow that family's EndpointSlice: the IPv6 ClusterIP and node address expect the IPv6 slice's pods", () => {
    const probes = missingFromIPv6Slice();
    const expected = (id: string) => {
      const found = probes.find((p) => p.id === id);
      return found?.expect.kind === "reach" ? found.expect.endpoints.map((e) => `${e.podName} ${e.address}`) : found?.expect.kind;
    };
    expect({
      clusterIPv4: expected("web/cluster-ip:80/pod:lab-worker"),
      clusterIPv6: expected("web/cluster-ip:ipv6:80/pod:lab-worker"),
      nodePortIPv6: expected("web/node-port:lab-worker:http:ipv6/outside"),
      podIPv6: probes.filter((p) => p.rule === "pod-ip-from-pod" && p.from === "lab-worker" && p.id.includes(":ipv6:")).map((p) => p.id),
    }).toEqual({
      clusterIPv4: ["frontend-a 10.244.1.5", "frontend-b 10.244.2.6"],
      clusterIPv6: ["frontend-a fd00:10:244:1::5"],
      nodePortIPv6: ["frontend-a fd00:10:244:1::5"],
      podIPv6: ["web/pod:lab-worker#1:ipv6:3000/pod:lab-worker"],
    });
  });

  test("each family's EndpointSlice must list the ready pods with an address of that family", () => {
    const facts = missingFromIPv6Slice().filter((p) => p.rule === "endpoints-match-selector");
    expect(facts.map((p) => [p.id, p.expect])).toEqual([
      ["web/endpoints/api", { kind: "fact", holds: true, detail: "endpoints of svclab/web = ready pods [frontend-a, frontend-b]", otherwise: "fail" }],
      ["web/endpoints:ipv6/api", { kind: "fact", holds: false, detail: "ready pods with an IPv6 address without an endpoint (IPv6 EndpointSlice): frontend-b", otherwise: "fail" }],
    ]);
    const whole = planProbes({ ...cluster([dualState(dualInfo({ name: "web" }))]), nodes: DUAL_NODES }, PLAN_DEFAULTS);
    // Pods that report no IPv6 address are not expected in the IPv6 slice, and slice endpoints that are not ready pods are extra.
    expect(whole.find((p) => p.id === "web/endpoints:ipv6/api")?.expect).toMatchObject({ holds: false, detail: "endpoints (IPv6 EndpointSlice) that are not ready selected pods with an IPv6 address: frontend-a, frontend-b" });
  });

  test("an IPv6-only Service asks AAAA under the plain id", () => {
    const v6 = service({ name: "six", clusterIP: "fd00:10:96::b", ipFamilies: ["IPv6"] });
    const dns = planProbes(cluster([state(v6)]), PLAN_DEFAULTS).filter((p) => p.rule === "dns-resolves-in-cluster" && p.from === "lab-control-plane");
    expect(dns.map((p) => [p.id, p.target.kind === "resolve" ? p.target.recordType : ""])).toEqual([["six/dns:six.svclab.svc.cluster.local/pod:lab-control-plane", "AAAA"]]);
  });
});
