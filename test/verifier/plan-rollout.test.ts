/**
 * The planner during a rollout and on a sick cluster (issue 9, item 7):
 * serving-but-terminating endpoints, publishNotReadyAddresses on a headless
 * Service, and NotReady nodes.
 */
import { dataPlaneOf } from "../../verifier/data-plane";
import { planProbes } from "../../verifier/plan";
import type { Probe } from "../../verifier/types";
import { FRONTEND_PODS, NODES, PLAN_DEFAULTS, cluster, endpointOf, pod, service, state } from "./fixtures";

function byId(probes: readonly Probe[], id: string): Probe {
  const found = probes.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no probe ${id}; planned:\n${probes.map((p) => p.id).join("\n")}`);
  return found;
}

function ofRule(probes: readonly Probe[], rule: string): Probe[] {
  return probes.filter((p) => p.rule === rule);
}

describe("publishNotReadyAddresses on a headless Service", () => {
  const headless = service({ name: "hl", clusterIP: "None", headless: true, publishNotReadyAddresses: true });
  const notReady = pod("frontend-c", "lab-worker", "10.244.1.7", false);
  // What the EndpointSlice controller publishes: every selected pod with an IP marked ready.
  const published = { ...state(headless, [...FRONTEND_PODS, notReady]), endpoints: [...FRONTEND_PODS, notReady].map(endpointOf) };

  test("the name resolves to the not-ready pod's address too, as the EndpointSlice marks it ready", () => {
    const probes = planProbes(cluster([published]), PLAN_DEFAULTS);
    expect(ofRule(probes, "headless-a-records").map((p) => [p.from, p.expect])).toEqual(
      NODES.map((n) => [n.name, { kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6", "10.244.1.7"] }]),
    );
  });

  test("the endpoints are expected to be every selected pod, ready or not", () => {
    const probes = planProbes(cluster([published]), PLAN_DEFAULTS);
    expect(byId(probes, "hl/endpoints/api").expect).toEqual({
      kind: "fact",
      holds: true,
      detail: "endpoints of svclab/hl = selected pods, ready or not (publishNotReadyAddresses) [frontend-a, frontend-b, frontend-c]",
      otherwise: "fail",
    });
  });

  test("a slice that leaves the not-ready pod out fails, naming it", () => {
    const probes = planProbes(cluster([state(headless, [...FRONTEND_PODS, notReady])]), PLAN_DEFAULTS);
    expect(byId(probes, "hl/endpoints/api").expect).toMatchObject({ holds: false, detail: "selected pods without an endpoint: frontend-c" });
  });

  test("without publishNotReadyAddresses the not-ready pod stays out of the records (unchanged)", () => {
    const plain = service({ name: "hl", clusterIP: "None", headless: true });
    const probes = planProbes(cluster([state(plain, [...FRONTEND_PODS, notReady])]), PLAN_DEFAULTS);
    expect(ofRule(probes, "headless-a-records")[0]?.expect).toEqual({ kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6"] });
    expect(byId(probes, "hl/endpoints/api").expect).toMatchObject({ holds: true });
  });
});

describe("a NotReady node", () => {
  const why = "node lab-worker2 is NotReady (Ready=False): KubeletNotReady: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady";
  const sick = NODES.map((n) => (n.name === "lab-worker2" ? { ...n, ready: false, notReady: why } : n));
  const np = service({ name: "np", type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 3000, nodePort: 30080, protocol: "TCP" }] });
  const probes = planProbes({ ...cluster([state(np)]), nodes: sick }, PLAN_DEFAULTS);

  test("its probe agent check is skipped with the node's reason, not an error", () => {
    expect(byId(probes, "probe/agent:lab-worker2/api")).toMatchObject({ skip: why });
    expect(byId(probes, "probe/agent:lab-worker/api").skip).toBeUndefined();
  });

  test("every probe sent from it is skipped with its reason", () => {
    const fromSick = probes.filter((p) => p.from === "lab-worker2");
    expect(fromSick.length).toBeGreaterThan(0);
    for (const p of fromSick) expect({ id: p.id, skip: p.skip }).toEqual({ id: p.id, skip: why });
  });

  test("its node port and the pods on it are not probed as healthy, from anywhere", () => {
    expect(byId(probes, "np/node-port:lab-worker2:http/outside").skip).toBe(why);
    expect(byId(probes, "np/node-port:lab-worker2:http/pod:lab-worker").skip).toBe(why);
    const toPodThere = probes.filter((p) => p.rule === "pod-ip-from-pod" && p.subject?.includes("frontend-b") === true);
    expect(toPodThere.map((p) => p.skip)).toEqual(NODES.map(() => why));
  });

  test("the healthy nodes are probed as before", () => {
    expect(byId(probes, "np/node-port:lab-worker:http/outside").skip).toBeUndefined();
    expect(byId(probes, "np/node-port:lab-control-plane:http/pod:lab-worker").skip).toBeUndefined();
    expect(byId(probes, "np/cluster-ip:80/pod:lab-worker").skip).toBeUndefined();
  });

  test("spread and port chain are sent from a Ready node with an agent", () => {
    const first = { ...cluster([state(np)]), nodes: NODES.map((n) => (n.name === "lab-control-plane" ? { ...n, ready: false, notReady: why } : n)) };
    const planned = planProbes(first, PLAN_DEFAULTS);
    expect(ofRule(planned, "spread").map((p) => [p.from, p.skip])).toEqual([["lab-worker", undefined]]);
    expect(ofRule(planned, "port-chain").map((p) => p.from)).toEqual(["lab-worker"]);
  });
});

describe("a Service whose pods are all terminating but still serving", () => {
  const leaving = { ...pod("frontend-a", "lab-worker", "10.244.1.5"), terminating: true };
  const gone = pod("frontend-b", "lab-worker2", "10.244.2.6", false);
  // What the EndpointSlice controller writes: no ready endpoint, one ready: false, serving: true, terminating: true.
  function rollout(info: ReturnType<typeof service>): ReturnType<typeof state> {
    return { service: info, pods: [leaving, gone], endpoints: [], servingTerminating: [endpointOf(leaving)] };
  }
  const np = service({ name: "np", type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 3000, nodePort: 30080, protocol: "TCP" }] });
  const modern = { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("iptables", "detected", "DaemonSet kube-system/kube-proxy", "v1.34.0") };
  const old = { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("iptables", "detected", "DaemonSet kube-system/kube-proxy", "v1.24.2") };
  const unknownVersion = { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("iptables", "stated", "stated with --data-plane iptables") };

  test("kube-proxy 1.26+: the ClusterIP, DNS name and node ports are expected to reach the terminating pod, and the reason says why", () => {
    const probes = planProbes(cluster([rollout(np)]), modern);
    for (const id of ["np/cluster-ip:80/pod:lab-worker", "np/node-port:lab-worker2:http/outside", "np/node-port:lab-worker:http/pod:lab-control-plane", "np/dns:np.svclab.svc.cluster.local:80/pod:lab-worker"]) {
      const p = byId(probes, id);
      expect({ id, rule: p.rule, expect: p.expect }).toEqual({
        id,
        rule: "terminating-fallback",
        expect: { kind: "reach", endpoints: [{ podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" }] },
      });
      expect(p.because).toBe("no ready endpoint, 1 serving-but-terminating (frontend-a): kube-proxy v1.34.0 (1.26+) sends to serving-but-terminating pods when no ready pod is left");
    }
    expect(ofRule(probes, "no-endpoints-refuse").map((p) => p.id)).toEqual(["np/proxy:http/api-proxy"]);
    expect(byId(probes, "np/proxy:http/api-proxy")).toMatchObject({ expect: { kind: "proxy-fails" } });
    expect(byId(probes, "np/proxy:http/api-proxy").because).toContain("the API server's service proxy uses ready endpoints only");
  });

  test("kube-proxy before 1.26: still refused, and the reason says the terminating pod is not used", () => {
    const probes = planProbes(cluster([rollout(np)]), old);
    const p = byId(probes, "np/cluster-ip:80/pod:lab-worker");
    expect(p).toMatchObject({ rule: "no-endpoints-refuse", expect: { kind: "refused" } });
    expect(p.because).toBe("no ready endpoint, 1 serving-but-terminating (frontend-a): kube-proxy v1.24.2 (before 1.26) does not send to serving-but-terminating pods");
  });

  test("an unknown kube-proxy version: either the terminating pod answers or nothing of the Service does", () => {
    const probes = planProbes(cluster([rollout(np)]), unknownVersion);
    const p = byId(probes, "np/cluster-ip:80/pod:lab-worker");
    expect(p.rule).toBe("terminating-fallback");
    expect(p.expect).toEqual({
      kind: "no-reach",
      endpoints: [{ podName: "frontend-b", address: "10.244.2.6", nodeName: "lab-worker2" }],
      mayAnswer: [{ podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" }],
    });
    expect(p.because).toContain("is unknown");
  });

  test("externalTrafficPolicy Local on kube-proxy 1.26+: only the terminating pod's node answers, the others drop", () => {
    const local = service({ ...np, name: "loc", externalTrafficPolicy: "Local" });
    const probes = planProbes(cluster([rollout(local)]), modern);
    expect(byId(probes, "loc/node-port:lab-worker:http/outside")).toMatchObject({ rule: "etp-local-only-local-nodes", expect: { kind: "reach", onNode: "lab-worker" } });
    expect(byId(probes, "loc/node-port:lab-worker2:http/outside")).toMatchObject({ rule: "etp-local-only-local-nodes", expect: { kind: "no-reach" } });
    expect(byId(probes, "loc/node-port:lab-worker2:http/outside").because).toContain("serving-but-terminating (frontend-a)");
  });

  test("a LoadBalancer on kube-proxy 1.26+ is expected to reach the terminating pod", () => {
    const lb = service({ ...np, name: "lb", type: "LoadBalancer", loadBalancerIngress: ["172.18.0.100"] });
    const probes = planProbes(cluster([rollout(lb)]), modern);
    expect(ofRule(probes, "terminating-fallback").filter((p) => p.id.startsWith("lb/lb:")).map((p) => [p.id, p.expect.kind])).toEqual([
      ["lb/lb:ingress#1:80/outside", "reach"],
      ["lb/lb:ingress#1:80/pod:lab-control-plane", "reach"],
    ]);
  });

  test("with ready pods left, terminating ones change nothing", () => {
    const ready = pod("frontend-c", "lab-worker2", "10.244.2.7");
    const s = { service: np, pods: [leaving, ready], endpoints: [endpointOf(ready)], servingTerminating: [endpointOf(leaving)] };
    const probes = planProbes(cluster([s]), modern);
    expect(byId(probes, "np/cluster-ip:80/pod:lab-worker")).toMatchObject({ rule: "clusterip-from-pod", expect: { kind: "reach", endpoints: [{ podName: "frontend-c" }] } });
    expect(probes.filter((p) => p.because !== undefined)).toEqual([]);
  });

  test("without a known data plane the planner keeps the captured v1.24 cluster's refusal", () => {
    const probes = planProbes(cluster([rollout(np)]), PLAN_DEFAULTS);
    expect(byId(probes, "np/cluster-ip:80/pod:lab-worker")).toMatchObject({ rule: "no-endpoints-refuse", expect: { kind: "refused" } });
  });
});
