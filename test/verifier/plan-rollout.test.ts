/**
 * The planner during a rollout and on a sick cluster (issue 9, item 7):
 * serving-but-terminating endpoints, publishNotReadyAddresses on a headless
 * Service, and NotReady nodes.
 */
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
