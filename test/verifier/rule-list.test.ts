/**
 * `svclab verify --list` (issue 9, item 11): every rule with its id, sentence
 * and the checks that prove it — and the declaration of which check proves
 * which rule must match what the planner really does.
 */
import { planProbes, serviceKind, CHECKS_BY_KIND } from "../../verifier/plan";
import { CHECK_RULES, listRules, renderRuleList } from "../../verifier/rule-list";
import { RULES } from "../../verifier/rules";
import type { Cluster } from "../../verifier/model";
import { dataPlaneOf } from "../../verifier/data-plane";
import { PLAN_DEFAULTS, cluster, endpointOf, nodePorts, pod, service, state } from "./fixtures";

const FRONTEND = [pod("frontend-a", "lab-worker", "10.244.1.5"), pod("frontend-b", "lab-worker2", "10.244.2.6")];
const NONE = [pod("frontend-a", "lab-worker", "10.244.1.5", false)];

function lab(pods: typeof FRONTEND): Cluster {
  return cluster([
    state(service({ name: "ci" }), pods),
    state(service({ name: "hl", clusterIP: "None", headless: true }), pods),
    state(service({ name: "np", type: "NodePort", ports: nodePorts(30080) }), pods),
    state(service({ name: "lb", type: "LoadBalancer", ports: nodePorts(30081), loadBalancerIngress: ["172.18.0.100"] }), pods),
    state(service({ name: "loc", type: "NodePort", ports: nodePorts(30082), externalTrafficPolicy: "Local" }), pods),
    state(service({ name: "sticky", sessionAffinity: "ClientIP" }), pods),
    state(service({ name: "itp", internalTrafficPolicy: "Local" }), pods),
    state(service({ name: "ext", type: "ExternalName", clusterIP: undefined, selector: undefined, externalName: "x.example.test" })),
  ]);
}

describe("the rule list", () => {
  test("every probe the planner makes has a rule its Service's checks declare", () => {
    // A rollout too: no ready endpoint, one serving-but-terminating, on kube-proxy 1.26+ and on an unknown version.
    const leaving = { ...FRONTEND[0]!, terminating: true };
    const rollout: Cluster = { ...lab([]), services: lab([]).services.map((s) => (s.service.selector === undefined ? s : { ...s, pods: [leaving], servingTerminating: [endpointOf(leaving)] })) };
    const planned = [
      ...[lab(FRONTEND), lab(NONE)].map((c) => ({ c, probes: planProbes(c, PLAN_DEFAULTS) })),
      ...["v1.34.0", undefined].map((version) => ({ c: rollout, probes: planProbes(rollout, { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("iptables", "detected", "", version) }) })),
    ];
    for (const { c, probes } of planned) {
      for (const probe of probes) {
        if (probe.service === "probe") {
          expect(probe.rule).toBe("probe-agent-per-node");
          continue;
        }
        const svc = c.services.find((s) => s.service.name === probe.service)!.service;
        const declared = CHECKS_BY_KIND[serviceKind(svc)].flatMap((check) => CHECK_RULES[check]);
        expect({ id: probe.id, rule: probe.rule, declared: declared.includes(probe.rule) }).toEqual({ id: probe.id, rule: probe.rule, declared: true });
      }
    }
  });

  test("lists every rule of the catalogue, each proved by at least one check", () => {
    const listed = listRules();
    expect(listed.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of listed) expect({ id: r.id, checks: r.checks.length > 0 }).toEqual({ id: r.id, checks: true });
  });

  test("prints id, sentence, basis, vantages and checks with their Service kinds", () => {
    const text = renderRuleList();
    expect(text).toContain(
      "clusterip-no-node-port\n    A ClusterIP Service opens no port on the nodes\n",
    );
    expect(text).toMatch(/\nspread\n {4}.*\n {4}basis: \S+ · vantages: pod\n {4}proved by: spread \(ClusterIP, NodePort, LoadBalancer\)\n/);
    expect(text).toContain("proved by: probe-agents (every node)");
    expect(text.endsWith(`${RULES.length} rules\n`)).toBe(true);
  });
});
