/**
 * IPv6 and dual-stack clusters: discovery keeps every family (node
 * InternalIPs, spec.clusterIPs, one EndpointSlice per family), and the
 * planner probes each: every ClusterIP, node addresses of the Service's
 * families, A and AAAA records. Object shapes follow what a dual-stack API
 * server returns (https://kubernetes.io/docs/concepts/services-networking/dual-stack/).
 */
import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
import { discoverOnce } from "../../verifier/discover";
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
    expect(urls).toEqual(["web/cluster-ip:80/pod:lab-worker http://10.96.0.10:80/", "web/cluster-ip:ipv6:80/pod:lab-worker http://[fd00:10:96::a]:80/"]);
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
      "http://172.18.0.2:30080/", "http://[fc00::2]:30080/", "http://172.18.0.3:30080/", "http://[fc00::3]:30080/", "http://172.18.0.4:30080/", "http://[fc00::4]:30080/",
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

  test("an IPv6-only Service asks AAAA under the plain id", () => {
    const v6 = service({ name: "six", clusterIP: "fd00:10:96::b", ipFamilies: ["IPv6"] });
    const dns = planProbes(cluster([state(v6)]), PLAN_DEFAULTS).filter((p) => p.rule === "dns-resolves-in-cluster" && p.from === "lab-control-plane");
    expect(dns.map((p) => [p.id, p.target.kind === "resolve" ? p.target.recordType : ""])).toEqual([["six/dns:six.svclab.svc.cluster.local/pod:lab-control-plane", "AAAA"]]);
  });
});
