/**
 * kube-proxy's nftables mode. The rulesets are HAND-MADE (see
 * test/fixtures/nftables-handmade/README.md): written from KEP-3866 and the
 * expected rulesets in kube-proxy's nftables proxier tests, not captured from
 * a running kube-proxy. They reuse the real capture's addresses, so its
 * objects name the pods.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { explain, type Explanation, type ExplainedEntry } from "../../../verifier/explain/explain";
import { followFor, type Outcome } from "../../../verifier/explain/flow";
import { looksLikeNftRuleset, nftDuration, parseNftRuleset } from "../../../verifier/explain/nft-ruleset";
import { RulesFormatError, type EntryKind, type Ruleset } from "../../../verifier/explain/ruleset";
import { parseRules } from "../../../verifier/explain/sources";
import { objectsOf, readyEndpoints } from "./capture";

const NFT_DIR = path.resolve(__dirname, "..", "..", "fixtures", "nftables-handmade");
const objects = objectsOf();

function rules(node: string): Ruleset {
  const file = path.join(NFT_DIR, `kube-proxy-nft.${node}.txt`);
  return parseRules(fs.readFileSync(file, "utf8"), file);
}

function entry(ruleset: Ruleset, service: string, kind: EntryKind): ExplainedEntry {
  const explanation: Explanation = explain({ ruleset, namespace: "svclab", service, objects });
  if (explanation.kind !== "paths") throw new Error(`${service}: no paths`);
  const found = explanation.ports.flatMap((p) => p.entries).find((e) => e.entry.kind === kind);
  if (found === undefined) throw new Error(`${service}: no ${kind} entry`);
  return found;
}

function endpoints(outcome: Outcome): Extract<Outcome, { kind: "endpoints" }> {
  if (outcome.kind !== "endpoints") throw new Error(`expected endpoints, got ${outcome.kind}`);
  return outcome;
}

describe("svclab explain on kube-proxy nftables rules (hand-made fixtures)", () => {
  const worker = rules("svclab-worker");
  const controlPlane = rules("svclab-control-plane");

  it("recognises nft list ruleset output and reads kube-proxy's pod range from it", () => {
    expect(worker.mode).toBe("nftables");
    expect(worker.podRanges).toEqual(["198.18.64.0/18"]);
  });

  it("numgen random mod 3: each of the ready endpoints gets a third, shares summing to 1", () => {
    const outcome = endpoints(followFor(entry(worker, "frontend-nodeport", "cluster-ip").flow, "pod", worker.podRanges).outcome);
    expect(outcome.choices.map((c) => c.address).sort()).toEqual(readyEndpoints(objects, "frontend-nodeport").map((e) => e.address).sort());
    expect(outcome.choices.map((c) => c.share)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it("a node port (service-nodeports map) masquerades outside clients", () => {
    const path = followFor(entry(worker, "frontend-nodeport", "node-port").flow, "outside", worker.podRanges);
    expect(path.masquerade).toHaveLength(1);
    expect(endpoints(path.outcome).choices).toHaveLength(3);
  });

  it("affinity sets with timeout 3h make frontend-sticky sticky for 10800 s", () => {
    const outcome = endpoints(entry(worker, "frontend-sticky", "cluster-ip").flow.outcome);
    expect(outcome.affinitySeconds).toBe(10800);
    expect(outcome.choices.every((c) => c.sticky !== undefined && c.remember?.target.kind === "affinity-record")).toBe(true);
  });

  it("the LoadBalancer ingress address (service-ips map → external chain) is found, named by the Service's status", () => {
    const lb = entry(worker, "frontend-lb", "load-balancer");
    expect(lb.entry.address).toBe("198.18.128.10");
    expect(endpoints(followFor(lb.flow, "outside", worker.podRanges).outcome).choices).toHaveLength(3);
  });

  it("externalTrafficPolicy Local: svclab-worker's own pods only, client address kept; dropped on svclab-control-plane", () => {
    const local = followFor(entry(worker, "frontend-local", "node-port").flow, "outside", worker.podRanges);
    const workerPods = readyEndpoints(objects, "frontend-local").filter((e) => e.node === "svclab-worker").map((e) => e.address).sort();
    expect(endpoints(local.outcome).local).toBe(true);
    expect(endpoints(local.outcome).choices.map((c) => c.address).sort()).toEqual(workerPods);
    expect(local.masquerade).toEqual([]);
    const dropped = followFor(entry(controlPlane, "frontend-local", "node-port").flow, "outside", controlPlane.podRanges);
    expect(dropped.outcome.kind).toBe("drop");
    expect(dropped.outcome.kind === "drop" && dropped.outcome.rule.verdictReason).toBe("no-local-endpoints");
    // Pods short-circuit to every endpoint even where outside clients are dropped.
    expect(endpoints(followFor(entry(controlPlane, "frontend-local", "node-port").flow, "pod", controlPlane.podRanges).outcome).choices).toHaveLength(3);
  });

  it("internalTrafficPolicy Local: svclab-worker's own pods only; dropped on svclab-control-plane", () => {
    const outcome = endpoints(followFor(entry(worker, "frontend-internal-local", "cluster-ip").flow, "pod", worker.podRanges).outcome);
    expect(outcome.choices.map((c) => c.share)).toEqual([0.5, 0.5]);
    expect(followFor(entry(controlPlane, "frontend-internal-local", "cluster-ip").flow, "pod", controlPlane.podRanges).outcome.kind).toBe("drop");
  });

  it("no ready endpoints: no-endpoint-services → reject-chain, refused", () => {
    const outcome = entry(worker, "backend", "cluster-ip").flow.outcome;
    expect(outcome.kind).toBe("reject");
  });

  it("reads affinity timeouts as nft prints them", () => {
    expect(nftDuration("3h")).toBe(10800);
    expect(nftDuration("10800s")).toBe(10800);
    expect(nftDuration("1h30m")).toBe(5400);
    expect(nftDuration("soon")).toBeUndefined();
  });

  it("rejects text that is not nft output, naming the line", () => {
    expect(looksLikeNftRuleset("table ip kube-proxy {\n}\n")).toBe(true);
    expect(() => parseNftRuleset("table ip kube-proxy {\n}\nhello\n", "x.txt")).toThrow(new RulesFormatError('x.txt: line 3 is not nft list ruleset output ("hello"); allowed: the output of iptables-save or nft list ruleset'));
    expect(() => parseNftRuleset("table ip filter {\n}\n", "y.txt")).toThrow(/y\.txt: nft output without a kube-proxy table/);
  });
});
