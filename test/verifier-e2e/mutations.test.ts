/**
 * Mutation tests: each world breaks exactly one reachability rule the way a
 * real cluster could break it. The verifier must fail (or error) naming that
 * rule on the probe that shows it, and must not blame unrelated rules.
 */
import type { RuleId, VerifyOptions } from "../../verifier";
import { buildWorld, defaultWorldSpec, type World, type WorldSpecOverrides } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

interface Mutation {
  /** What is broken, as a sentence. */
  readonly broken: string;
  readonly world: WorldSpecOverrides;
  /** The rule the verifier must name. */
  readonly rule: RuleId;
  /** The id of a probe that must carry that rule and status. */
  readonly probeId: (world: World) => string;
  readonly status: "fail" | "error";
  /** Every rule any non-passing probe may name in this world. */
  readonly allowed: readonly RuleId[];
  /** Verifier options besides the test defaults. */
  readonly options?: Partial<VerifyOptions>;
}

const CP = "svclab-control-plane";

const MUTATIONS: readonly Mutation[] = [
  {
    broken: "a ClusterIP answers from outside",
    world: { faults: { clusterIPAnswersFromOutside: ["backend"] } },
    rule: "clusterip-not-from-outside",
    probeId: (w) => `backend/cluster-ip:${w.servicePort}/outside`,
    status: "fail",
    allowed: ["clusterip-not-from-outside"],
  },
  {
    broken: "backend pod IPs answer from outside where isolation is expected",
    world: { faults: { podIPsAnswerFromOutside: ["backend"] } },
    // Without --expect-isolated, routable pod IPs are a property of the network (test/verifier-e2e/data-plane.test.ts).
    options: { expectIsolated: true },
    rule: "pod-ip-not-from-outside",
    probeId: (w) => `backend/pod:${w.pods("backend")[0].node}#1:3000/outside`,
    status: "fail",
    allowed: ["pod-ip-not-from-outside"],
  },
  {
    broken: "the control-plane node's NodePort is silent",
    world: { faults: { silentNodePortNodes: [CP] } },
    rule: "nodeport-from-outside",
    probeId: () => `frontend-nodeport/node-port:${CP}:http/outside`,
    status: "fail",
    allowed: ["nodeport-from-outside", "nodeport-from-pod"],
  },
  {
    broken: "the LoadBalancer address accepts connections but never answers",
    world: { faults: { silentLoadBalancers: ["frontend-lb"] } },
    rule: "lb-from-outside",
    probeId: (w) => `frontend-lb/lb:ingress#1:${w.servicePort}/outside`,
    status: "fail",
    allowed: ["lb-from-outside"],
  },
  {
    broken: "a LoadBalancer Service has no node port (allocateLoadBalancerNodePorts: false)",
    world: {
      services: defaultWorldSpec().services.map((s) => (s.kind === "LoadBalancer" ? { ...s, allocateLoadBalancerNodePorts: false } : s)),
    },
    rule: "lb-node-port-allocated",
    probeId: () => "frontend-lb/lb-node-ports/api",
    status: "fail",
    allowed: ["lb-node-port-allocated", "nodeport-in-range"],
  },
  {
    broken: "the API server cannot reach the backend's pods",
    world: { faults: { apiProxyBlocked: ["backend"] } },
    rule: "service-via-api-proxy",
    probeId: () => "backend/proxy:http/api-proxy",
    status: "fail",
    allowed: ["service-via-api-proxy"],
  },
  {
    broken: "pods on one worker cannot reach pods on other nodes",
    world: { faults: { partitionedNodes: ["svclab-worker"] } },
    rule: "pod-ip-from-pod",
    probeId: () => "backend/pod:svclab-worker2#1:3000/pod:svclab-worker",
    status: "fail",
    // Frontend pods on that worker wait out their own backend call (1 s, longer than the test's timeout),
    // so any probe answered by them may fail too, from every vantage.
    allowed: [
      "pod-ip-from-pod", "clusterip-from-pod", "nodeport-from-pod", "dns-name-answers", "lb-from-pod", "port-chain", "spread", "session-affinity",
      "itp-local-same-node", "etp-local-only-local-nodes", "etp-local-preserves-client", "nodeport-from-outside", "lb-from-outside", "service-via-api-proxy",
    ],
  },
  {
    broken: "a Service sends every request to one pod",
    world: { faults: { pinnedServices: ["frontend-nodeport"] } },
    rule: "spread",
    probeId: (w) => `frontend-nodeport/cluster-ip:${w.servicePort}:spread/pod:${CP}`,
    status: "fail",
    allowed: ["spread"],
  },
  {
    broken: "a sessionAffinity ClientIP Service spreads anyway",
    world: { faults: { affinityIgnored: ["frontend-sticky"] } },
    rule: "session-affinity",
    probeId: (w) => `frontend-sticky/cluster-ip:${w.servicePort}:affinity/pod:${CP}`,
    status: "fail",
    allowed: ["session-affinity"],
  },
  {
    broken: "a node has no probe agent",
    world: { faults: { missingProbeAgents: ["svclab-worker2"] } },
    rule: "probe-agent-per-node",
    probeId: () => "probe/agent:svclab-worker2/api",
    status: "error",
    // Every pod probe sent from that node is an error, DNS ones included (DNS is asked from every node).
    allowed: [
      "probe-agent-per-node", "pod-ip-from-pod", "clusterip-from-pod", "itp-local-same-node", "nodeport-from-pod",
      "dns-resolves-in-cluster", "dns-name-answers", "headless-a-records", "externalname-cname",
    ],
  },
  {
    broken: "a not-ready backend pod is still published as a ready endpoint",
    world: { workloads: [{ component: "frontend", replicas: 3 }, { component: "backend", replicas: 2, notReady: [0] }], faults: { staleEndpoints: ["backend"] } },
    rule: "endpoints-match-selector",
    probeId: () => "backend/endpoints/api",
    status: "fail",
    allowed: ["endpoints-match-selector"],
  },
  {
    broken: "backend pods listen on 3001 while the Service's targetPort is 3000",
    world: { faults: { listenPort: { backend: 3001 } } },
    rule: "port-chain",
    probeId: (w) => `backend/cluster-ip:${w.servicePort}->3000/pod:${CP}`,
    status: "fail",
    allowed: ["port-chain", "pod-ip-from-pod", "clusterip-from-pod", "dns-name-answers", "service-via-api-proxy", "spread"],
  },
  {
    broken: "internalTrafficPolicy Local is ignored",
    world: { faults: { internalPolicyIgnored: ["frontend-internal-local"] } },
    rule: "itp-local-same-node",
    probeId: (w) => `frontend-internal-local/cluster-ip:${w.servicePort}/pod:${CP}`,
    status: "fail",
    allowed: ["itp-local-same-node"],
  },
  {
    broken: "externalTrafficPolicy Local is ignored (every node answers, client SNATed)",
    world: { faults: { externalPolicyIgnored: ["frontend-local"] } },
    rule: "etp-local-only-local-nodes",
    probeId: (w) => `frontend-local/node-port:${CP}:http/outside`,
    status: "fail",
    allowed: ["etp-local-only-local-nodes", "etp-local-preserves-client"],
  },
  {
    broken: "the cluster DNS has no record for the backend Service",
    world: { faults: { dnsMissing: ["backend"] } },
    rule: "dns-resolves-in-cluster",
    probeId: () => `backend/dns:backend.svclab.svc.cluster.local/pod:${CP}`,
    status: "fail",
    allowed: ["dns-resolves-in-cluster", "dns-name-answers"],
  },
  {
    broken: "the cluster DNS has no record for the headless Service",
    world: { faults: { dnsMissing: ["backend-headless"] } },
    rule: "headless-a-records",
    probeId: () => `backend-headless/dns:backend-headless.svclab.svc.cluster.local/pod:${CP}`,
    status: "fail",
    allowed: ["headless-a-records"],
  },
  {
    broken: "the cluster DNS has no CNAME for the ExternalName Service",
    world: { faults: { dnsMissing: ["backend-external"] } },
    rule: "externalname-cname",
    probeId: () => `backend-external/dns:backend-external.svclab.svc.cluster.local:cname/pod:${CP}`,
    status: "fail",
    allowed: ["externalname-cname"],
  },
  {
    broken: "a Service without ready pods drops connections instead of refusing them",
    // Backend-only world: a frontend would wait out its own backend timeout on every answer.
    world: {
      workloads: [{ component: "backend", replicas: 2, notReady: [0, 1] }],
      services: defaultWorldSpec().services.filter((s) => s.name === "backend"),
      faults: { noEndpointsDrop: ["backend"] },
    },
    rule: "no-endpoints-refuse",
    probeId: (w) => `backend/cluster-ip:${w.servicePort}/pod:svclab-worker`,
    status: "fail",
    allowed: ["no-endpoints-refuse"],
  },
];

describe("the verifier names the rule a broken world breaks", () => {
  test.each(MUTATIONS.map((m) => [m.broken, m] as const))("%s", async (_broken, mutation) => {
    const world = await buildWorld(mutation.world);
    try {
      // A short deadline: a broken answer is still tried the runner's minimum number of times, whatever the clock says.
      const report = await verifyWorld(world, { deadlineMs: 0, ...mutation.options });
      const id = mutation.probeId(world);
      const shown = report.probes.find((p) => p.id === id);
      expect({ id: shown?.id, rule: shown?.rule.id, status: shown?.status }).toEqual({ id, rule: mutation.rule, status: mutation.status });
      const blamed = new Set(report.probes.filter((p) => p.status === "fail" || p.status === "error").map((p) => p.rule.id));
      expect({ unexpected: [...blamed].filter((r) => !mutation.allowed.includes(r)), problems: describeProblems(report.probes) })
        .toEqual({ unexpected: [], problems: expect.any(String) });
      expect(report.exitCode).toBe(mutation.status === "fail" ? 1 : 2);
    } finally {
      await world.close();
    }
  });
});
