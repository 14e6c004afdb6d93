/**
 * `svclab verify --explain`'s part: each node's rules read once, every
 * Service explained on every node, on the real v1.24 capture (the cluster as
 * the verifier's discovery makes of the captured objects, the rules as
 * `docker exec <node> iptables-save` would print them); a node that cannot
 * be read, or another data plane, recorded with the reason.
 */
import { dataPlaneOf } from "../../../verifier/data-plane";
import { explainCluster, explanationsNote } from "../../../verifier/explain/during-run";
import { explain } from "../../../verifier/explain/explain";
import { renderExplanation } from "../../../verifier/explain/render";
import type { VerifyReport } from "../../../verifier";
import type { Cluster } from "../../../verifier/model";
import { explanationOf } from "../../../verifier/report/explanations";
import { CAPTURE_DIR, captureNodes, NOT_READY_DIR, objectsOf, rulesFile, rulesOf } from "./capture";
import { CAPTURED_DATA_PLANE, captureCluster, captureDocker } from "./capture-cluster";

const NODES = captureNodes();

/** The record of one Service on one node. */
function textOf(explanations: Awaited<ReturnType<typeof explainCluster>>, service: string, node: string): string {
  const record = explanations.services.find((s) => s.service === service && s.node === node);
  if (record?.text === undefined) throw new Error(`no explanation of ${service} on ${node}: ${JSON.stringify(record)}`);
  return record.text;
}

describe("explaining a run's Services on the real capture", () => {
  let cluster: Cluster;
  let services: string[];
  beforeAll(async () => {
    cluster = await captureCluster();
    services = cluster.services.map((s) => s.service.name);
  });

  it("reads each node's rules once and explains every Service on every node", async () => {
    const docker = captureDocker();
    const explanations = await explainCluster(cluster, CAPTURED_DATA_PLANE, docker.run);
    expect(services).toHaveLength(8);
    expect(docker.calls.sort()).toEqual(NODES.map((node) => `docker exec ${node} iptables-save`).sort());
    expect(explanations.nodes).toEqual(NODES.map((node) => ({ node, family: "IPv4", origin: `docker exec ${node} iptables-save`, mode: "iptables" })));
    expect(explanations.services.map((s) => [s.service, s.node, s.notExplained])).toEqual(services.flatMap((service) => NODES.map((node) => [service, node, undefined])));
    expect(explanationsNote(explanations)).toBeUndefined();
  });

  it("says what svclab explain says with the captured objects: the same steps, endpoints, pods and nodes, only the names' origin differs", async () => {
    const explanations = await explainCluster(cluster, CAPTURED_DATA_PLANE, captureDocker().run);
    const objects = objectsOf();
    for (const service of services) {
      for (const node of NODES) {
        const origin = `docker exec ${node} iptables-save`;
        const cli = renderExplanation(explain({ ruleset: rulesOf(node), namespace: "svclab", service, node, objects }), { node, rulesOrigin: origin, objects, raw: false });
        const run = textOf(explanations, service, node);
        expect(run.replace(/^ {2}names: .*$/m, "names")).toBe(cli.replace(/^ {2}names: .*$/m, "names"));
        // ExternalName and headless Services print no names line: they have no rules to put names on.
        if (!run.includes("no kube-proxy rules at all")) expect(run).toContain("names: this run's discovery (context captured-v1.24)");
      }
    }
  });

  it("frontend-local is dropped on the control plane, reaches only svclab-worker's pods there; frontend-sticky sticks for 3 h", async () => {
    const explanations = await explainCluster(cluster, CAPTURED_DATA_PLANE, captureDocker().run);
    expect(textOf(explanations, "frontend-local", "svclab-control-plane")).toContain("→ dropped on this node: this node has no ready endpoint of its own and the Service has externalTrafficPolicy: Local");
    const onWorker = textOf(explanations, "frontend-local", "svclab-worker");
    expect(onWorker).toContain("→ this node's endpoints only (externalTrafficPolicy: Local)");
    expect(onWorker).toMatch(/pod frontend-\S+ on svclab-worker \(this node\)/);
    expect(textOf(explanations, "frontend-sticky", "svclab-worker2")).toContain("within the last 10800 s (3 h) goes back to the same endpoint");
    expect(textOf(explanations, "backend-headless", "svclab-worker")).toContain("no kube-proxy rules at all, and none are needed");
    expect(textOf(explanations, "backend-external", "svclab-worker")).toContain("type ExternalName");
  });

  it("a Service whose endpoints are all not ready is refused, and its not-ready pods are named", async () => {
    const notReady = await captureCluster(NOT_READY_DIR);
    const explanations = await explainCluster(notReady, CAPTURED_DATA_PLANE, captureDocker(NOT_READY_DIR).run);
    const text = textOf(explanations, "backend", "svclab-worker");
    expect(text).toContain("→ refused: the Service has no ready endpoints");
    const backendPods = notReady.services.find((s) => s.service.name === "backend")?.pods.map((p) => p.name) ?? [];
    expect(backendPods).toHaveLength(2);
    for (const pod of backendPods) expect(text).toContain(`pod ${pod} on`);
    expect(text).toContain("not ready, so no rule sends traffic there");
  });

  it("a node whose rules cannot be read is recorded with the reason; the other nodes are still explained", async () => {
    const docker = captureDocker(CAPTURE_DIR, ["svclab-worker2"]);
    const explanations = await explainCluster(cluster, CAPTURED_DATA_PLANE, docker.run);
    const worker2 = explanations.nodes.find((n) => n.node === "svclab-worker2");
    expect(worker2?.origin).toBeUndefined();
    expect(worker2?.notRead).toContain("cannot read the rules of node svclab-worker2");
    expect(worker2?.notRead).toContain("No such container: svclab-worker2");
    expect(explanations.services.filter((s) => s.node === "svclab-worker2")).toEqual([]);
    expect(explanations.services.filter((s) => s.text !== undefined)).toHaveLength(services.length * 2);
    expect(explanationsNote(explanations)).toMatch(/^--explain: the rules of 1 of 3 nodes were not read \(svclab-worker2\): cannot read the rules of node svclab-worker2/);
  });

  it("a Service with no rules on a node is recorded as not explained, naming it and the Services that have rules there", async () => {
    const fs = await import("node:fs");
    const withoutLb = fs.readFileSync(rulesFile("svclab-worker"), "utf8").split("\n").filter((line) => !line.includes("svclab/frontend-lb")).join("\n");
    const run = async (program: string, args: readonly string[]) => (args[1] === "svclab-worker" ? withoutLb : captureDocker().run(program, args));
    const explanations = await explainCluster(cluster, CAPTURED_DATA_PLANE, run);
    const record = explanations.services.find((s) => s.service === "frontend-lb" && s.node === "svclab-worker");
    expect(record?.text).toBeUndefined();
    expect(record?.notExplained).toMatch(/^service "svclab\/frontend-lb": the Service exists but kube-proxy wrote no rules for it on node svclab-worker; Services with rules there: /);
    expect(textOf(explanations, "frontend-lb", "svclab-worker2")).toContain("LoadBalancer ingress");
  });

  it("reads a node once per IP family its Services use: an IPv6 Service is explained from ip6tables-save (not captured here: recorded as not read, and the page says so)", async () => {
    const sticky6: Cluster = {
      ...cluster,
      services: cluster.services.map((s) => (s.service.name === "frontend-sticky" ? { ...s, service: { ...s.service, ipFamilies: ["IPv6"] as const } } : s)),
    };
    const docker = captureDocker();
    const explanations = await explainCluster(sticky6, CAPTURED_DATA_PLANE, docker.run);
    expect(docker.calls.sort()).toEqual(NODES.flatMap((node) => [`docker exec ${node} ip6tables-save`, `docker exec ${node} iptables-save`]).sort());
    expect(explanations.nodes.map((n) => [n.node, n.family, n.notRead === undefined])).toEqual(NODES.flatMap((node) => [[node, "IPv4", true], [node, "IPv6", false]]));
    // The capture holds no IPv6 rules: the IPv6 Service is left unexplained (its nodes' IPv6 records say why), the others are explained.
    expect(explanations.services.filter((s) => s.service === "frontend-sticky")).toEqual([]);
    expect(explanations.services.filter((s) => s.text !== undefined)).toHaveLength((services.length - 1) * NODES.length);
    const report = { cluster: { ...sticky6, services: sticky6.services }, explanations } as unknown as VerifyReport;
    expect(explanationOf(report, "frontend-sticky", "svclab-worker")).toEqual({ kind: "not-read", why: expect.stringContaining("docker exec svclab-worker ip6tables-save") });
    expect(explanationOf(report, "frontend-local", "svclab-worker")?.kind).toBe("text");
  });

  it.each([
    ["ipvs", /IPVS mode: svclab explain does not explain IPVS/],
    ["cilium", /implemented by Cilium, not kube-proxy/],
    ["other", /something other than kube-proxy/],
  ] as const)("on a %s data plane no rules are read, and every node says why", async (profile, why) => {
    const docker = captureDocker();
    const explanations = await explainCluster(cluster, dataPlaneOf(profile, "stated", `--data-plane ${profile}`), docker.run);
    expect(docker.calls).toEqual([]);
    expect(explanations.services).toEqual([]);
    expect(explanations.nodes.map((n) => n.node)).toEqual(NODES);
    for (const node of explanations.nodes) expect(node.notRead).toMatch(why);
  });
});
