import { planProbes, serviceKind, CHECKS_BY_KIND } from "../../verifier/plan";
import { RULES, rule } from "../../verifier/rules";
import { dataPlaneOf } from "../../verifier/data-plane";
import type { Probe } from "../../verifier/types";
import { FRONTEND_PODS, NODES, PLAN_DEFAULTS, agents, cluster, endpointOf, nodePorts, pod, service, state } from "./fixtures";

function byId(probes: readonly Probe[], id: string): Probe {
  const found = probes.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no probe ${id}; planned:\n${probes.map((p) => p.id).join("\n")}`);
  return found;
}

/** The probe's expectation, which must be a reach. */
function reachOf(p: Probe): Extract<Probe["expect"], { kind: "reach" }> {
  if (p.expect.kind !== "reach") throw new Error(`${p.id} expects ${p.expect.kind}, not reach`);
  return p.expect;
}

function ofRule(probes: readonly Probe[], rule: string): Probe[] {
  return probes.filter((p) => p.rule === rule);
}

describe("planProbes", () => {
  describe("a ClusterIP Service", () => {
    const probes = planProbes(cluster([state(service({ name: "web" }))]), PLAN_DEFAULTS);

    test("every probe id is unique", () => {
      expect(new Set(probes.map((p) => p.id)).size).toBe(probes.length);
    });

    test("the ClusterIP must not answer from outside but must from a pod on every node", () => {
      expect(byId(probes, "web/cluster-ip:80/outside")).toMatchObject({ rule: "clusterip-not-from-outside", expect: { kind: "no-reach" } });
      for (const node of NODES) {
        const p = byId(probes, `web/cluster-ip:80/pod:${node.name}`);
        expect(p).toMatchObject({ rule: "clusterip-from-pod", vantage: "pod", from: node.name, target: { url: "http://10.96.0.10:80/?backend=skip" } });
        expect(p.expect).toMatchObject({ kind: "reach" });
      }
    });

    test("each pod IP must not answer from outside but must from every node", () => {
      expect(byId(probes, "web/pod:lab-worker#1:3000/outside")).toMatchObject({
        rule: "pod-ip-not-from-outside",
        target: { url: "http://10.244.1.5:3000/?backend=skip" },
        subject: "pod frontend-a (10.244.1.5)",
      });
      expect(ofRule(probes, "pod-ip-from-pod")).toHaveLength(FRONTEND_PODS.length * NODES.length);
    });

    test("the DNS name is resolved and answered from every node's agent, so a node whose pods cannot reach the DNS gets its own row", () => {
      for (const node of NODES) {
        expect(byId(probes, `web/dns:web.svclab.svc.cluster.local/pod:${node.name}`)).toMatchObject({
          rule: "dns-resolves-in-cluster",
          from: node.name,
          expect: { kind: "resolves-to", records: ["10.96.0.10"] },
        });
      }
    });

    test("the DNS name resolves to the ClusterIP inside and not outside", () => {
      expect(byId(probes, "web/dns:web.svclab.svc.cluster.local/outside").expect).toEqual({ kind: "no-resolve" });
      expect(byId(probes, "web/dns:web.svclab.svc.cluster.local/pod:lab-control-plane").expect).toEqual({ kind: "resolves-to", records: ["10.96.0.10"] });
      expect(ofRule(probes, "dns-name-answers").map((p) => p.from)).toEqual(NODES.map((n) => n.name));
    });

    test("no node port is opened, the API proxy answers, the port chain ends on 3000 and requests spread", () => {
      expect(ofRule(probes, "clusterip-no-node-port")[0]?.expect).toMatchObject({ kind: "fact", holds: true });
      expect(byId(probes, "web/proxy:http/api-proxy").target).toMatchObject({ path: "/api/v1/namespaces/svclab/services/web:http/proxy/?backend=skip" });
      expect(byId(probes, "web/cluster-ip:80->3000/pod:lab-control-plane").expect).toMatchObject({ kind: "reach", listenPort: 3000 });
      const spread = byId(probes, "web/cluster-ip:80:spread/pod:lab-control-plane");
      expect(spread).toMatchObject({ rule: "spread", target: { requests: 30 }, expect: { kind: "spread", minPods: 2 } });
      expect(spread.skip).toBeUndefined();
    });

    test("endpoints are checked against the ready selected pods", () => {
      expect(byId(probes, "web/endpoints/api").expect).toMatchObject({ kind: "fact", holds: true });
    });
  });

  test("an expected no names every pod of the Service, ready or not, so only their answers count as a reach", () => {
    const notReady = pod("frontend-c", "lab-worker", "10.244.1.7", false);
    const probes = planProbes(cluster([state(service({ name: "web" }), [...FRONTEND_PODS, notReady])]), PLAN_DEFAULTS);
    const outside = byId(probes, "web/cluster-ip:80/outside").expect;
    expect(outside.kind === "no-reach" ? outside.endpoints.map((e) => e.podName) : []).toEqual(["frontend-a", "frontend-b", "frontend-c"]);
  });

  test("endpoints that include a pod that is not ready make the endpoints check fail", () => {
    const notReady = pod("frontend-c", "lab-worker", "10.244.1.7", false);
    const s = state(service({ name: "web" }), [...FRONTEND_PODS, notReady]);
    const stale = { ...s, endpoints: [...s.endpoints, { address: "10.244.1.7", podName: "frontend-c", nodeName: "lab-worker", ports: { http: 3000 } }] };
    const probes = planProbes(cluster([stale]), PLAN_DEFAULTS);
    expect(byId(probes, "web/endpoints/api").expect).toMatchObject({
      kind: "fact",
      holds: false,
      detail: "endpoints that are not ready selected pods: frontend-c",
      otherwise: "fail",
    });
  });

  describe("a NodePort Service", () => {
    const probes = planProbes(cluster([state(service({ name: "np", type: "NodePort", ports: nodePorts(30080) }))]), PLAN_DEFAULTS);

    test("the node port must answer from outside on every node, control plane included", () => {
      const outside = ofRule(probes, "nodeport-from-outside");
      expect(outside.map((p) => p.id)).toEqual([
        "np/node-port:lab-control-plane:http/outside",
        "np/node-port:lab-worker:http/outside",
        "np/node-port:lab-worker2:http/outside",
      ]);
      expect(byId(probes, "np/node-port:lab-control-plane:http/outside").target).toMatchObject({ url: "http://172.18.0.2:30080/?backend=skip" });
    });

    test("the node port must answer from a pod on every node, to every node", () => {
      expect(ofRule(probes, "nodeport-from-pod")).toHaveLength(NODES.length * NODES.length);
    });

    test("the node port is checked against 30000-32767", () => {
      expect(ofRule(probes, "nodeport-in-range")[0]?.expect).toMatchObject({ kind: "fact", holds: true, detail: "nodePort 30080 is inside 30000-32767" });
    });

    test("its ClusterIP still only answers inside", () => {
      expect(byId(probes, "np/cluster-ip:80/outside").expect).toMatchObject({ kind: "no-reach" });
    });
  });

  test("a nodePort outside 30000-32767 makes the range check fail", () => {
    const probes = planProbes(cluster([state(service({ name: "np", type: "NodePort", ports: nodePorts(29999) }))]), PLAN_DEFAULTS);
    expect(ofRule(probes, "nodeport-in-range")[0]?.expect).toMatchObject({ holds: false, detail: "nodePort 29999 is outside 30000-32767" });
  });

  test("a LoadBalancer with an address is probed from outside and from a pod, and has node ports too", () => {
    const lb = service({ name: "lb", type: "LoadBalancer", ports: nodePorts(31000), loadBalancerIngress: ["172.18.0.100"] });
    const probes = planProbes(cluster([state(lb)]), PLAN_DEFAULTS);
    expect(byId(probes, "lb/lb:ingress#1:80/outside")).toMatchObject({
      rule: "lb-from-outside",
      target: { url: "http://172.18.0.100:80/?backend=skip" },
      subject: "load-balancer address 172.18.0.100",
    });
    expect(byId(probes, "lb/lb:ingress#1:80/pod:lab-control-plane").rule).toBe("lb-from-pod");
    expect(ofRule(probes, "lb-node-port-allocated")[0]?.expect).toMatchObject({ holds: true });
    expect(ofRule(probes, "nodeport-from-outside")).toHaveLength(NODES.length);
  });

  test("a LoadBalancer without an address gets a skipped outside check that says why", () => {
    const lb = service({ name: "lb", type: "LoadBalancer", ports: nodePorts(31000) });
    const probes = planProbes(cluster([state(lb)]), PLAN_DEFAULTS);
    const pending = byId(probes, "lb/lb:pending:80/outside");
    expect(pending.skip).toBe("no load-balancer address assigned to svclab/lb (status.loadBalancer.ingress is empty)");
    expect(ofRule(probes, "lb-from-pod")).toHaveLength(0);
  });

  test("an ExternalName Service is checked only as a CNAME and as unreachable through the API proxy", () => {
    const ext = service({ name: "ext", type: "ExternalName", clusterIP: undefined, selector: undefined, externalName: "backend.svclab.svc.cluster.local" });
    const probes = planProbes(cluster([state(ext)]), PLAN_DEFAULTS).filter((p) => p.service === "ext");
    expect(probes.map((p) => [p.id, p.rule])).toEqual([
      ...NODES.map((n) => [`ext/dns:ext.svclab.svc.cluster.local:cname/pod:${n.name}`, "externalname-cname"]),
      ["ext/proxy:http/api-proxy", "externalname-no-proxy"],
    ]);
    expect(probes[0]?.expect).toEqual({ kind: "cname", name: "backend.svclab.svc.cluster.local" });
    expect(probes.at(-1)?.expect).toEqual({ kind: "proxy-fails" });
  });

  test("a headless Service resolves to the ready pod IPs and has no ClusterIP probes", () => {
    const headless = service({ name: "hl", clusterIP: "None", headless: true });
    const probes = planProbes(cluster([state(headless)]), PLAN_DEFAULTS);
    expect(serviceKind(headless)).toBe("headless");
    expect(byId(probes, "hl/dns:hl.svclab.svc.cluster.local/pod:lab-control-plane")).toMatchObject({
      rule: "headless-a-records",
      expect: { kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6"] },
    });
    expect(probes.filter((p) => p.target.label.startsWith("cluster-ip"))).toHaveLength(0);
    expect(ofRule(probes, "service-via-api-proxy")).toHaveLength(1);
  });

  test("externalTrafficPolicy Local: only nodes with a ready local pod must answer, and the client address is checked", () => {
    const local = service({ name: "loc", type: "NodePort", ports: nodePorts(30090), externalTrafficPolicy: "Local" });
    const probes = planProbes(cluster([state(local)]), PLAN_DEFAULTS);
    expect(byId(probes, "loc/node-port:lab-control-plane:http/outside")).toMatchObject({ rule: "etp-local-only-local-nodes", expect: { kind: "no-reach" } });
    expect(byId(probes, "loc/node-port:lab-worker:http/outside").expect).toMatchObject({ kind: "reach", onNode: "lab-worker" });
    const client = byId(probes, "loc/node-port:lab-worker:http:client/outside");
    expect(client.rule).toBe("etp-local-preserves-client");
    expect(client.expect).toMatchObject({ kind: "reach" });
    expect(reachOf(client).clientNotIn).toEqual(expect.arrayContaining(["172.18.0.2", "10.244.1.5"]));
    expect(ofRule(probes, "nodeport-from-pod")).toHaveLength(0);
  });

  test("externalTrafficPolicy Local: the client address is checked on every node with a local endpoint, and only there", () => {
    const local = service({ name: "loc", type: "NodePort", ports: nodePorts(30090), externalTrafficPolicy: "Local" });
    const probes = planProbes(cluster([state(local)]), PLAN_DEFAULTS);
    expect(ofRule(probes, "etp-local-preserves-client").map((p) => [p.id, reachOf(p).endpoints.map((e) => e.podName)])).toEqual([
      ["loc/node-port:lab-worker:http:client/outside", ["frontend-a"]],
      ["loc/node-port:lab-worker2:http:client/outside", ["frontend-b"]],
    ]);
  });

  test("internalTrafficPolicy Local with no ready endpoint on any node expects what a Service without endpoints does, from every node", () => {
    const unready = FRONTEND_PODS.map((p) => ({ ...p, ready: false }));
    const probes = planProbes(cluster([state(service({ name: "itp", internalTrafficPolicy: "Local" }), unready)]), PLAN_DEFAULTS);
    expect(ofRule(probes, "itp-local-same-node")).toHaveLength(0);
    for (const node of NODES) {
      expect(byId(probes, `itp/cluster-ip:80/pod:${node.name}`)).toMatchObject({ rule: "no-endpoints-refuse", expect: { kind: "refused" } });
    }
  });

  test("a headless Service with a not-ready pod resolves to the ready pod IPs only, from every node", () => {
    const notReady = pod("frontend-c", "lab-worker", "10.244.1.7", false);
    const probes = planProbes(cluster([state(service({ name: "hl", clusterIP: "None", headless: true }), [...FRONTEND_PODS, notReady])]), PLAN_DEFAULTS);
    expect(ofRule(probes, "headless-a-records").map((p) => [p.from, p.expect])).toEqual(
      NODES.map((n) => [n.name, { kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6"] }]),
    );
  });

  test("a ready pod that is terminating is not an expected endpoint", () => {
    const leaving = { ...pod("frontend-c", "lab-worker", "10.244.1.7"), terminating: true };
    const s = state(service({ name: "web" }), FRONTEND_PODS);
    const probes = planProbes(cluster([{ ...s, pods: [...s.pods, leaving] }]), PLAN_DEFAULTS);
    expect(byId(probes, "web/endpoints/api").expect).toMatchObject({ kind: "fact", holds: true });
  });

  test("internalTrafficPolicy Local: from each node only its own endpoints, and nothing from a node without one", () => {
    const local = service({ name: "itp", internalTrafficPolicy: "Local" });
    const probes = planProbes(cluster([state(local)]), PLAN_DEFAULTS);
    expect(byId(probes, "itp/cluster-ip:80/pod:lab-worker")).toMatchObject({ rule: "itp-local-same-node", expect: { kind: "reach", onNode: "lab-worker" } });
    expect(reachOf(byId(probes, "itp/cluster-ip:80/pod:lab-worker")).endpoints.map((e) => e.podName)).toEqual([
      "frontend-a",
    ]);
    expect(byId(probes, "itp/cluster-ip:80/pod:lab-control-plane").expect).toMatchObject({ kind: "no-reach" });
    expect(ofRule(probes, "spread")).toHaveLength(0);
  });

  test("sessionAffinity ClientIP: all requests must reach one pod, instead of spreading", () => {
    const sticky = service({ name: "sticky", sessionAffinity: "ClientIP" });
    const probes = planProbes(cluster([state(sticky)]), { ...PLAN_DEFAULTS, spreadRequests: 12 });
    expect(ofRule(probes, "spread")).toHaveLength(0);
    expect(byId(probes, "sticky/cluster-ip:80:affinity/pod:lab-control-plane")).toMatchObject({
      rule: "session-affinity",
      target: { requests: 12 },
      expect: { kind: "single-pod" },
    });
  });

  test("a Service with one ready pod gets a skipped spread check", () => {
    const probes = planProbes(cluster([state(service({ name: "one" }), [FRONTEND_PODS[0]!])]), PLAN_DEFAULTS);
    expect(ofRule(probes, "spread")[0]?.skip).toBe("svclab/one has 1 ready pod(s); the check needs at least 2");
  });

  test("an affinity Service with one ready pod gets a skipped affinity check, since it could not fail", () => {
    const sticky = service({ name: "sticky", sessionAffinity: "ClientIP" });
    const probes = planProbes(cluster([state(sticky, [FRONTEND_PODS[0]!])]), PLAN_DEFAULTS);
    expect(ofRule(probes, "session-affinity")[0]?.skip).toBe("svclab/sticky has 1 ready pod(s); the check needs at least 2");
  });

  test("a selector Service with no ready endpoints must refuse, and its API proxy must fail", () => {
    const unready = FRONTEND_PODS.map((p) => ({ ...p, ready: false }));
    const probes = planProbes(cluster([state(service({ name: "none", type: "NodePort", ports: nodePorts(30100) }), unready)]), PLAN_DEFAULTS);
    const refusals = ofRule(probes, "no-endpoints-refuse");
    expect(refusals.map((p) => p.id)).toEqual(
      expect.arrayContaining(["none/cluster-ip:80/pod:lab-worker", "none/node-port:lab-worker:http/outside", "none/proxy:http/api-proxy"]),
    );
    expect(byId(probes, "none/cluster-ip:80/pod:lab-worker").expect).toEqual({ kind: "refused" });
    expect(byId(probes, "none/proxy:http/api-proxy").expect).toEqual({ kind: "proxy-fails" });
    expect(ofRule(probes, "spread")).toHaveLength(0);
    expect(ofRule(probes, "port-chain")).toHaveLength(0);
  });

  test("externalTrafficPolicy Local with no ready endpoint anywhere must refuse on every node, not just go quiet", () => {
    const unready = FRONTEND_PODS.map((p) => ({ ...p, ready: false }));
    const local = service({ name: "local", type: "NodePort", externalTrafficPolicy: "Local", ports: nodePorts(30101) });
    const probes = planProbes(cluster([state(local, unready)]), PLAN_DEFAULTS);
    expect(ofRule(probes, "etp-local-only-local-nodes")).toHaveLength(0);
    expect(byId(probes, "local/node-port:lab-control-plane:http/outside")).toMatchObject({ rule: "no-endpoints-refuse", expect: { kind: "refused" } });
  });

  test("a node without a probe agent gets an error check, and its pod probes have no agent", () => {
    const probes = planProbes(cluster([state(service({ name: "web" }))], agents(["lab-control-plane", "lab-worker"])), PLAN_DEFAULTS);
    expect(byId(probes, "probe/agent:lab-worker2/api")).toMatchObject({
      rule: "probe-agent-per-node",
      expect: { kind: "fact", holds: false, otherwise: "error", detail: "no ready probe agent (label app.kubernetes.io/component=probe) on node lab-worker2" },
    });
    expect(byId(probes, "web/cluster-ip:80/pod:lab-worker2").agent).toBeUndefined();
    expect(byId(probes, "web/cluster-ip:80/pod:lab-worker").agent?.pod).toBe("probe-1");
  });

  test("when node IPs are not reachable, node ports are tried on 127.0.0.1 and the node-IP checks are skipped with the reason", () => {
    const np = service({ name: "np", type: "NodePort", ports: nodePorts(30080) });
    const probes = planProbes(cluster([state(np)]), { ...PLAN_DEFAULTS, outside: { kind: "localhost", reason: "node IPs are not reachable from a darwin host" } });
    expect(byId(probes, "np/node-port:localhost:http/outside")).toMatchObject({ rule: "nodeport-from-outside", target: { url: "http://127.0.0.1:30080/?backend=skip" } });
    expect(byId(probes, "np/node-port:localhost:http/outside").skipWhenRefused).toMatch(/no kind extraPortMappings entry publishes node port 30080 \(port 80\) on the same host port, the only one tried/);
    expect(byId(probes, "np/node-port:lab-worker:http/outside").skip).toBe("node IPs are not reachable from a darwin host");
  });

  test("when node IPs are not reachable, an externalTrafficPolicy Local node port published on 127.0.0.1 must answer from one of the Service's pods", () => {
    const local = service({ name: "loc", type: "NodePort", ports: nodePorts(30081), externalTrafficPolicy: "Local" });
    const probes = planProbes(cluster([state(local)]), { ...PLAN_DEFAULTS, outside: { kind: "localhost", reason: "node IPs are not reachable from a darwin host" } });
    const viaLocalhost = byId(probes, "loc/node-port:localhost:http/outside");
    expect(viaLocalhost).toMatchObject({ rule: "etp-local-only-local-nodes", target: { url: "http://127.0.0.1:30081/?backend=skip" } });
    expect(reachOf(viaLocalhost).endpoints.map((e) => e.podName).sort()).toEqual(FRONTEND_PODS.map((p) => p.name).sort());
    expect(viaLocalhost.skip).toBeUndefined();
    expect(viaLocalhost.skipWhenRefused).toMatch(/no kind extraPortMappings entry publishes node port 30081/);
  });

  test("every planned probe is sent from a vantage its rule names, in a lab with every Service kind", () => {
    const lab = cluster([
      state(service({ name: "web" })),
      state(service({ name: "hl", clusterIP: "None", headless: true })),
      state(service({ name: "np", type: "NodePort", ports: nodePorts(30080) })),
      state(service({ name: "loc", type: "NodePort", ports: nodePorts(30081), externalTrafficPolicy: "Local" })),
      state(service({ name: "lb", type: "LoadBalancer", ports: nodePorts(30082), loadBalancerIngress: ["172.18.0.100"] })),
      state(service({ name: "itp", internalTrafficPolicy: "Local" })),
      state(service({ name: "sticky", sessionAffinity: "ClientIP" })),
      state(service({ name: "none", type: "NodePort", ports: nodePorts(30083) }), []),
      state(service({ name: "ext", type: "ExternalName", clusterIP: undefined, selector: undefined, externalName: "example.invalid" })),
    ]);
    const probes = planProbes(lab, PLAN_DEFAULTS);
    const mismatched = probes.filter((p) => !rule(p.rule).vantages.includes(p.vantage)).map((p) => `${p.id} [${p.rule}]`);
    expect(mismatched).toEqual([]);
    expect(new Set(probes.map((p) => p.id)).size).toBe(probes.length);
    // A data plane that may drop (not refuse) plans the no-answer rule for Services without endpoints instead.
    const dropping = planProbes(lab, { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("cilium", "stated", "") });
    expect(dropping.filter((p) => !rule(p.rule).vantages.includes(p.vantage)).map((p) => `${p.id} [${p.rule}]`)).toEqual([]);
    // A rollout: only serving-but-terminating endpoints, on kube-proxy 1.26+ (terminating-fallback).
    const leaving = { ...pod("frontend-a", "lab-worker", "10.244.1.5"), terminating: true };
    const rollout = cluster([{ ...state(service({ name: "roll", type: "NodePort", ports: nodePorts(30084) }), []), servingTerminating: [endpointOf(leaving)] }]);
    const rolling = planProbes(rollout, { ...PLAN_DEFAULTS, dataPlane: dataPlaneOf("iptables", "detected", "", "v1.34.0") });
    expect(rolling.filter((p) => !rule(p.rule).vantages.includes(p.vantage)).map((p) => `${p.id} [${p.rule}]`)).toEqual([]);
    expect(new Set([...probes, ...dropping, ...rolling].map((p) => p.rule))).toEqual(new Set(RULES.map((r) => r.id)));
  });

  test("the dispatch table gives every Service kind the checks of the reachability table", () => {
    expect(CHECKS_BY_KIND.ExternalName).toEqual(["cname", "externalname-proxy"]);
    expect(CHECKS_BY_KIND.NodePort).toEqual(expect.arrayContaining(["node-ports", "node-port-range", "cluster-ip", "api-proxy"]));
    expect(CHECKS_BY_KIND.LoadBalancer).toEqual(expect.arrayContaining(["load-balancer", "lb-node-port", "node-ports"]));
    expect(CHECKS_BY_KIND.ClusterIP).toContain("no-node-port");
  });
});
