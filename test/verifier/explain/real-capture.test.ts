/**
 * `svclab explain` on what real kube-proxy (v1.24, iptables mode) wrote on
 * three nodes. Expectations come from the capture's objects (EndpointSlices,
 * Services) and from the rule text itself, never from captured chain names.
 */
import * as fs from "node:fs";
import { explain, type Explanation, type ExplainedEntry } from "../../../verifier/explain/explain";
import { followFor, type Outcome } from "../../../verifier/explain/flow";
import type { EntryKind, Ruleset } from "../../../verifier/explain/ruleset";
import { CAPTURE_DIR, NOT_READY_DIR, captureNodes, objectsOf, readyEndpoints, rulesFile, rulesOf } from "./capture";

const objects = objectsOf();
const nodes = captureNodes();

function paths(ruleset: Ruleset, service: string, node: string, dir = CAPTURE_DIR): Extract<Explanation, { kind: "paths" }> {
  const explanation = explain({ ruleset, namespace: "svclab", service, node, objects: dir === CAPTURE_DIR ? objects : objectsOf(dir) });
  if (explanation.kind !== "paths") throw new Error(`${service}: expected rules, got ${explanation.kind}`);
  return explanation;
}

function entriesOf(explanation: Extract<Explanation, { kind: "paths" }>, kind: EntryKind): ExplainedEntry[] {
  return explanation.ports.flatMap((p) => p.entries).filter((e) => e.entry.kind === kind);
}

function endpointsOf(outcome: Outcome): Extract<Outcome, { kind: "endpoints" }> {
  if (outcome.kind !== "endpoints") throw new Error(`expected endpoints, got ${outcome.kind}`);
  return outcome;
}

function sumOfShares(outcome: Extract<Outcome, { kind: "endpoints" }>): number {
  return outcome.choices.reduce((sum, c) => sum + c.share, 0);
}

/** Services kube-proxy must program with every ready endpoint (Cluster policies, a virtual IP). */
const clusterPolicyServices = (objects.services as { metadata: { name: string }; spec?: { clusterIP?: string; type?: string; internalTrafficPolicy?: string } }[])
  .filter((s) => s.spec?.type !== "ExternalName" && s.spec?.clusterIP !== "None" && s.spec?.internalTrafficPolicy !== "Local")
  .map((s) => s.metadata.name);

describe("svclab explain on the real v1.24 capture", () => {
  it("finds the Services the capture has (guards the loops below against an empty list)", () => {
    expect(clusterPolicyServices).toEqual(expect.arrayContaining(["backend", "frontend-nodeport", "frontend-lb", "frontend-local", "frontend-sticky"]));
    expect(nodes).toEqual(["svclab-control-plane", "svclab-worker", "svclab-worker2"]);
  });

  describe.each(nodes)("on %s", (node) => {
    const ruleset = rulesOf(node);

    it.each(clusterPolicyServices)("%s: the ClusterIP's endpoints are the EndpointSlice's ready addresses, shares summing to 1", (service) => {
      const cluster = entriesOf(paths(ruleset, service, node), "cluster-ip");
      expect(cluster).toHaveLength(1);
      const outcome = endpointsOf(followFor((cluster[0] as ExplainedEntry).flow, "pod", ruleset.podRanges).outcome);
      expect(outcome.choices.map((c) => c.address).sort()).toEqual(readyEndpoints(objects, service).map((e) => e.address).sort());
      expect(sumOfShares(outcome)).toBeCloseTo(1, 9);
      expect(outcome.leftover).toBeCloseTo(0, 9);
      for (const choice of outcome.choices) expect(choice.share).toBeCloseTo(1 / outcome.choices.length, 6);
    });

    it("frontend-sticky is sticky for the timeout its rules give (and the Service asks for)", () => {
      const text = fs.readFileSync(rulesFile(node), "utf8");
      const seconds = [...text.matchAll(/--comment "svclab\/frontend-sticky:http -> [^"]+" -m recent --rcheck --seconds (\d+)/g)].map((m) => Number(m[1]));
      expect(seconds.length).toBeGreaterThan(0);
      expect(new Set(seconds).size).toBe(1);
      const outcome = endpointsOf((entriesOf(paths(ruleset, "frontend-sticky", node), "cluster-ip")[0] as ExplainedEntry).flow.outcome);
      expect(outcome.affinitySeconds).toBe(seconds[0]);
      expect(outcome.affinitySeconds).toBe(10800);
      expect(outcome.choices.every((c) => c.sticky !== undefined)).toBe(true);
    });

    it("a Service without affinity is not called sticky", () => {
      const outcome = endpointsOf((entriesOf(paths(ruleset, "frontend-nodeport", node), "cluster-ip")[0] as ExplainedEntry).flow.outcome);
      expect(outcome.affinitySeconds).toBeUndefined();
    });

    it.each(["frontend-nodeport", "frontend-lb", "frontend-local"])("%s: its node port has an entry on this node", (service) => {
      const spec = (objects.services.find((s) => s.metadata.name === service)?.spec?.ports ?? [])[0];
      const nodePorts = entriesOf(paths(ruleset, service, node), "node-port");
      expect(nodePorts.map((e) => e.entry.port)).toEqual([spec?.nodePort]);
    });

    it("frontend-nodeport: outside clients are masqueraded (the pod sees a node address) and reach every ready endpoint", () => {
      const [nodePort] = entriesOf(paths(ruleset, "frontend-nodeport", node), "node-port");
      const path = followFor((nodePort as ExplainedEntry).flow, "outside", ruleset.podRanges);
      expect(path.masquerade.length).toBeGreaterThan(0);
      expect(endpointsOf(path.outcome).choices.map((c) => c.address).sort()).toEqual(readyEndpoints(objects, "frontend-nodeport").map((e) => e.address).sort());
    });

    it("frontend-lb: the load balancer's ingress address has its rule, leading to every ready endpoint", () => {
      const ingress = objects.services.find((s) => s.metadata.name === "frontend-lb") as unknown as { status: { loadBalancer: { ingress: { ip: string }[] } } };
      const lb = entriesOf(paths(ruleset, "frontend-lb", node), "load-balancer");
      expect(lb.map((e) => e.entry.address)).toEqual(ingress.status.loadBalancer.ingress.map((i) => i.ip));
      const path = followFor((lb[0] as ExplainedEntry).flow, "outside", ruleset.podRanges);
      expect(sumOfShares(endpointsOf(path.outcome))).toBeCloseTo(1, 9);
      expect(endpointsOf(path.outcome).choices).toHaveLength(readyEndpoints(objects, "frontend-lb").length);
    });

    it("frontend-local (externalTrafficPolicy Local): outside clients reach only this node's ready pods, with their own address, or are dropped", () => {
      const local = readyEndpoints(objects, "frontend-local").filter((e) => e.node === node).map((e) => e.address).sort();
      const [nodePort] = entriesOf(paths(ruleset, "frontend-local", node), "node-port");
      const path = followFor((nodePort as ExplainedEntry).flow, "outside", ruleset.podRanges);
      if (local.length === 0) {
        expect(path.outcome.kind).toBe("drop");
        expect(path.outcome.kind === "drop" && path.outcome.rule.verdictReason).toBe("no-local-endpoints");
      } else {
        const outcome = endpointsOf(path.outcome);
        expect(outcome.local).toBe(true);
        expect(outcome.choices.map((c) => c.address).sort()).toEqual(local);
        expect(sumOfShares(outcome)).toBeCloseTo(1, 9);
        expect(path.masquerade).toEqual([]);
      }
    });

    it("frontend-internal-local (internalTrafficPolicy Local): pods reach only this node's ready pods, or are dropped", () => {
      const local = readyEndpoints(objects, "frontend-internal-local").filter((e) => e.node === node).map((e) => e.address).sort();
      const [cluster] = entriesOf(paths(ruleset, "frontend-internal-local", node), "cluster-ip");
      const path = followFor((cluster as ExplainedEntry).flow, "pod", ruleset.podRanges);
      if (local.length === 0) expect(path.outcome.kind).toBe("drop");
      else {
        expect(endpointsOf(path.outcome).choices.map((c) => c.address).sort()).toEqual(local);
        expect(sumOfShares(endpointsOf(path.outcome))).toBeCloseTo(1, 9);
      }
    });

    it("ExternalName and headless Services: no rules, and the explanation says why", () => {
      expect(explain({ ruleset, namespace: "svclab", service: "backend-external", node, objects }).kind === "no-rules" && "ok").toBe("ok");
      const headless = explain({ ruleset, namespace: "svclab", service: "backend-headless", node, objects });
      expect(headless.kind === "no-rules" ? headless.why : headless.kind).toBe("headless");
    });
  });

  it("frontend-local is dropped on svclab-control-plane and reaches only svclab-worker's pods there", () => {
    const controlPlane = rulesOf("svclab-control-plane");
    const drop = followFor((entriesOf(paths(controlPlane, "frontend-local", "svclab-control-plane"), "node-port")[0] as ExplainedEntry).flow, "outside", controlPlane.podRanges);
    expect(drop.outcome.kind).toBe("drop");
    const workerRules = rulesOf("svclab-worker");
    const worker = followFor((entriesOf(paths(workerRules, "frontend-local", "svclab-worker"), "node-port")[0] as ExplainedEntry).flow, "outside", workerRules.podRanges);
    const workerPods = readyEndpoints(objects, "frontend-local").filter((e) => e.node === "svclab-worker").map((e) => e.address).sort();
    expect(workerPods.length).toBeGreaterThan(0);
    expect(endpointsOf(worker.outcome).choices.map((c) => c.address).sort()).toEqual(workerPods);
  });

  it("frontend-internal-local is dropped on svclab-control-plane and reaches only svclab-worker's pods there", () => {
    const ruleset = rulesOf("svclab-control-plane");
    expect(followFor((entriesOf(paths(ruleset, "frontend-internal-local", "svclab-control-plane"), "cluster-ip")[0] as ExplainedEntry).flow, "pod", ruleset.podRanges).outcome.kind).toBe("drop");
    const worker = rulesOf("svclab-worker");
    const path = followFor((entriesOf(paths(worker, "frontend-internal-local", "svclab-worker"), "cluster-ip")[0] as ExplainedEntry).flow, "pod", worker.podRanges);
    const workerPods = readyEndpoints(objects, "frontend-internal-local").filter((e) => e.node === "svclab-worker").map((e) => e.address).sort();
    expect(endpointsOf(path.outcome).choices.map((c) => c.address).sort()).toEqual(workerPods);
  });

  it.each(nodes)("backend-not-ready: the backend is refused on %s (REJECT, no endpoints)", (node) => {
    const explanation = paths(rulesOf(node, NOT_READY_DIR), "backend", node, NOT_READY_DIR);
    const [cluster] = entriesOf(explanation, "cluster-ip");
    const outcome = (cluster as ExplainedEntry).flow.outcome;
    expect(outcome.kind).toBe("reject");
    expect(outcome.kind === "reject" && outcome.rule.verdictReason).toBe("no-endpoints");
    expect(readyEndpoints(objectsOf(NOT_READY_DIR), "backend")).toEqual([]);
  });

  it("reads the pod range kube-proxy uses to tell pod traffic from the rules", () => {
    expect(rulesOf("svclab-worker").podRanges).toEqual(["198.18.64.0/18"]);
  });
});
