/**
 * Probe ids and JUnit names are what a CI system follows a test by: they must
 * not change between two runs of the same lab, although every Deployment pod
 * then has a new random name and a new IP (issue 9, item 10).
 */
import { planProbes } from "../../verifier/plan";
import { endpointNames, ingressNames, nodePortName } from "../../verifier/checks/stable-names";
import type { Cluster, PodInfo } from "../../verifier/model";
import { PLAN_DEFAULTS, agents, cluster, nodePorts, pod, service, state } from "./fixtures";

/**
 * The lab's Services over the given frontend and backend pods, with a
 * load-balancer address and node ports the API server allocated from `nodePortBase`.
 */
function lab(frontend: readonly PodInfo[], backend: readonly PodInfo[], lbAddress: string, agentPrefix: string, nodePortBase: number): Cluster {
  const backendSelector = { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "backend" };
  return cluster(
    [
      state(service({ name: "backend", selector: backendSelector }), backend),
      state(service({ name: "backend-headless", clusterIP: "None", headless: true, selector: backendSelector }), backend),
      state(service({ name: "frontend-nodeport", type: "NodePort", ports: nodePorts(30080), clusterIP: "10.96.0.11" }), frontend),
      state(service({ name: "frontend-lb", type: "LoadBalancer", ports: nodePorts(nodePortBase), clusterIP: "10.96.0.12", loadBalancerIngress: [lbAddress] }), frontend),
      state(service({ name: "frontend-local", type: "NodePort", ports: nodePorts(nodePortBase + 1), externalTrafficPolicy: "Local" }), frontend),
      state(service({ name: "frontend-sticky", sessionAffinity: "ClientIP" }), frontend),
      state(service({ name: "frontend-internal-local", internalTrafficPolicy: "Local" }), frontend),
      state(service({ name: "backend-external", type: "ExternalName", clusterIP: undefined, selector: undefined, externalName: "backend.svclab.svc.cluster.local" })),
    ],
    agents().map((a, i) => ({ ...a, pod: `${agentPrefix}-${i}`, podIP: `10.244.${i}.${200 + i}` })),
  );
}

/**
 * A run of the lab: the same shape, every pod with a new random name and IP;
 * `apiOrder` reverses the order the API lists pods and endpoints in.
 */
function run(suffix: string, octet: number, lbAddress: string, apiOrder: "forward" | "reversed" = "forward"): { cluster: Cluster; pods: PodInfo[] } {
  const frontend = [
    pod(`frontend-5d8f-${suffix}a`, "lab-worker", `10.244.1.${octet}`),
    pod(`frontend-5d8f-${suffix}b`, "lab-worker2", `10.244.2.${octet}`),
    pod(`frontend-5d8f-${suffix}c`, "lab-worker", `10.244.1.${octet + 1}`),
  ];
  const backend = [pod(`backend-77c-${suffix}a`, "lab-worker", `10.244.1.${octet + 2}`), pod(`backend-77c-${suffix}b`, "lab-worker2", `10.244.2.${octet + 2}`)];
  const listed = <T>(items: T[]): T[] => (apiOrder === "reversed" ? [...items].reverse() : items);
  return { cluster: lab(listed(frontend), listed(backend), lbAddress, `probe-${suffix}`, 30000 + octet * 10), pods: [...frontend, ...backend] };
}

describe("stable probe ids", () => {
  const first = run("x2x4q", 10, "172.18.0.100");
  const second = run("zz9k1", 40, "172.18.0.101", "reversed");
  const idsOf = (c: Cluster): string[] => planProbes(c, PLAN_DEFAULTS).map((p) => p.id);

  test("two runs of the same lab with new pod names and IPs, listed in another order, plan the same ids in the same order", () => {
    expect(idsOf(second.cluster)).toEqual(idsOf(first.cluster));
  });

  test("no id contains a pod name, a pod IP or a load-balancer address of the run", () => {
    const ids = idsOf(first.cluster).join("\n");
    for (const p of first.pods) {
      expect(ids).not.toContain(p.name);
      expect(ids).not.toContain(`${p.podIP}:`);
    }
    for (const agent of first.cluster.agents) expect(ids).not.toContain(agent.pod);
    expect(ids).not.toContain("172.18.0.100");
    expect(ids).not.toMatch(/:30100\b/);
  });

  test("a node port is named by the Service port it serves, and the allocated nodePort is in the subject", () => {
    const probe = planProbes(first.cluster, PLAN_DEFAULTS).find((p) => p.id === "frontend-lb/node-port:lab-worker:http/outside");
    expect(probe).toMatchObject({ target: { url: "http://172.18.0.3:30100/?backend=skip" }, subject: "node port 30100 on node lab-worker 172.18.0.3" });
  });

  test("the real pod name and address stay in the probe's subject", () => {
    const probes = planProbes(first.cluster, PLAN_DEFAULTS);
    const podProbe = probes.find((p) => p.id === "backend/pod:lab-worker#1:3000/outside");
    expect(podProbe?.subject).toBe("pod backend-77c-x2x4qa (10.244.1.12)");
    const lbProbe = probes.find((p) => p.id === "frontend-lb/lb:ingress#1:80/outside");
    expect(lbProbe?.subject).toBe("load-balancer address 172.18.0.100");
  });
});

describe("endpointNames", () => {
  test("numbers pods per node in name order, from 1", () => {
    const names = endpointNames([
      { podName: "web-b", address: "10.0.1.2", nodeName: "n1" },
      { podName: "web-a", address: "10.0.1.3", nodeName: "n1" },
      { podName: "web-c", address: "10.0.2.2", nodeName: "n2" },
    ]);
    expect(names.map((n) => n.label)).toEqual(["pod:n1#2", "pod:n1#1", "pod:n2#1"]);
    expect(names[0]?.subject).toBe("pod web-b (10.0.1.2)");
  });

  test("a pod without a node is numbered among such pods, never named", () => {
    expect(endpointNames([{ podName: "web-q1", address: "10.0.1.2", nodeName: undefined }])).toEqual([
      { label: "pod:no-node#1", subject: "pod web-q1 (10.0.1.2)" },
    ]);
  });

  test("an endpoint that is no pod (a hand-written EndpointSlice) keeps its address, which a person chose", () => {
    expect(endpointNames([{ podName: undefined, address: "192.0.2.7", nodeName: undefined }])).toEqual([
      { label: "pod:192.0.2.7", subject: "endpoint 192.0.2.7 (no pod)" },
    ]);
  });
});

describe("ingressNames", () => {
  test("numbers load-balancer addresses in status order", () => {
    expect(ingressNames(["172.18.0.100", "lb.example.test"])).toEqual([
      { label: "lb:ingress#1", subject: "load-balancer address 172.18.0.100" },
      { label: "lb:ingress#2", subject: "load-balancer address lb.example.test" },
    ]);
  });
});

describe("nodePortName", () => {
  test("uses the port's name, or its number when it has none", () => {
    expect(nodePortName("n1", { name: "http", port: 80 }, 31234, "10.0.0.2").label).toBe("node-port:n1:http");
    expect(nodePortName("n1", { name: "", port: 8080 }, 31234, "10.0.0.2").label).toBe("node-port:n1:8080");
    expect(nodePortName("localhost", { name: "http", port: 80 }, 30080, "127.0.0.1")).toEqual({
      label: "node-port:localhost:http",
      subject: "node port 30080 on 127.0.0.1",
    });
  });
});
