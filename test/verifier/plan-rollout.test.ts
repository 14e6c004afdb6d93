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
