/**
 * `verify --explain` against the real-kernel world (docs/realkernel.md): the
 * rules are read live from each node's network namespace, through the same
 * `docker exec <node> …` path as on kind (answered by `ip netns exec`), once
 * per node, and the explanation of every node agrees with what the probes
 * saw there. One short run (one Service), in its own file so the main suite
 * stays as fast as it is; the world takes the machine-wide world lock as
 * every world does (startKernelWorld), so it waits for another suite's world.
 *
 * Needs root, `ip netns` and iptables; anywhere else it is skipped, saying
 * why — never passed.
 */
import * as path from "node:path";
import { verify, type VerifyReport } from "../../verifier";
import type { RunProgram } from "../../verifier/explain/sources";
import { checkRealKernel, loadCapture, startKernelWorld, type KernelWorld } from "../support/realkernel";

const capture = loadCapture();
const check = checkRealKernel(path.join(capture.dir, `kube-proxy-iptables.${capture.nodes[1]?.name ?? capture.nodes[0].name}.txt`));
if (!check.ok) process.stderr.write(`svclab verify --explain real-kernel test skipped (not run, not passed): ${check.reasons.join("; ")}\n`);
const describeKernel = check.ok ? describe : describe.skip;

const MINUTE = 60_000;
/** The outside DNS probe asks this machine's own resolver, which would send beyond the world: left out, as in every verifier suite here. */
const SKIP_OUTSIDE_DNS = /\/dns:[^/]*\/outside$/;

describeKernel("svclab verify --explain on a real kernel running kube-proxy's captured rules", () => {
  let world: KernelWorld;

  beforeAll(async () => {
    if (!check.ok) return;
    world = await startKernelWorld({ iptables: check.iptables });
  }, 3 * MINUTE);

  afterAll(async () => {
    await world?.close();
  }, MINUTE);

  test("reads each node's live rules once and explains frontend-local on every node as its node port answered from outside", async () => {
    const calls: string[] = [];
    // On kind `docker exec <node> iptables-save`; here the node is a network namespace, read with the world's iptables backend.
    const run: RunProgram = (program, args) => {
      calls.push([program, ...args].join(" "));
      const [verb, node, tool, ...rest] = args;
      if (program !== "docker" || verb !== "exec" || node === undefined || tool === undefined) throw new Error(`unexpected ${program} ${args.join(" ")}`);
      return world.execInNode(node, [tool === "iptables-save" ? world.iptables.save : tool, ...rest]);
    };
    const report: VerifyReport = await verify({
      kubeconfig: world.kubeconfigPath, namespace: world.namespace, only: /^frontend-local\//, skip: SKIP_OUTSIDE_DNS,
      timeoutMs: 4000, deadlineMs: 20_000, spreadRequests: 10, dataPlane: "iptables", explain: true, explainRun: run,
    });
    expect(report.probes.filter((p) => p.status !== "pass").map((p) => `${p.status} ${p.id} ${p.reason}`)).toEqual([]);
    expect(report.exitCode).toBe(0);

    const nodes = capture.nodes.map((n) => n.name);
    expect(calls.sort()).toEqual(nodes.map((node) => `docker exec ${node} iptables-save`).sort());
    expect(report.explanations?.nodes).toEqual(nodes.map((node) => ({ node, family: "IPv4", origin: `docker exec ${node} iptables-save`, mode: "iptables" })));

    // What the rules say each node does with an outside client, against what the probe to that node's port saw.
    const agreement = nodes.map((node) => {
      const text = report.explanations?.services.find((s) => s.service === "frontend-local" && s.node === node)?.text ?? "";
      const probe = report.probes.find((p) => p.id === `frontend-local/node-port:${node}:http/outside`);
      return { node, explainedDropped: /from outside the cluster: dropped/.test(text), explainedLocal: /from outside the cluster: [^\n]* on this node; the pod sees the client's own address/.test(text), expectedNo: probe?.expectNo, status: probe?.status };
    });
    expect(agreement).toEqual(nodes.map((node) => {
      const hasLocalPod = capture.pods.some((p) => p.component === "frontend" && p.node === node);
      return { node, explainedDropped: !hasLocalPod, explainedLocal: hasLocalPod, expectedNo: !hasLocalPod, status: "pass" };
    }));
    expect(agreement.some((a) => a.explainedDropped) && agreement.some((a) => a.explainedLocal)).toBe(true);
  }, 3 * MINUTE);
});
