/**
 * The verifier against a real kernel running kube-proxy's captured rules
 * (docs/realkernel.md): the captured v1.24 cluster in network namespaces, the
 * real demo app as its pods, the captured objects behind a stand-in API
 * server. The full run must pass as against a kind cluster; each fault made
 * in the kernel must fail the rule it breaks and no other.
 *
 * Needs root, `ip netns` and iptables (`.ci/run` installs iproute2 and
 * iptables); anywhere else the suite is skipped, saying why — never passed.
 */
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { verify, type ProbeResult, type VerifyReport } from "../../verifier";
import { runExplain } from "../../verifier/explain/cli";
import { checkRealKernel, loadCapture, startKernelWorld, type KernelWorld } from "../support/realkernel";
import { RunBreakdown } from "../support/realkernel/run-breakdown";

const capture = loadCapture();
const check = checkRealKernel(path.join(capture.dir, `kube-proxy-iptables.${capture.nodes[1]?.name ?? capture.nodes[0].name}.txt`));
if (!check.ok) {
  // Straight to stderr: jest drops console output of a file whose tests are all skipped.
  process.stderr.write(`svclab real-kernel suite skipped (not run, not passed): ${check.reasons.join("; ")}\n`);
}
const describeKernel = check.ok ? describe : describe.skip;

const MINUTE = 60_000;
const SHORT_SPREAD = 10;
const CONTROL_PLANE = "svclab-control-plane";
const WORKER = "svclab-worker";
const WORKER2 = "svclab-worker2";
/** The outside DNS probe asks this machine's own resolver, which would send beyond the world: left out, as in every verifier suite here. */
const SKIP_OUTSIDE_DNS = /\/dns:[^/]*\/outside$/;

/** How a run differs from the full one. */
interface FaultRun {
  readonly spreadRequests?: number;
  /**
   * Only the probes whose ids match: the probes whose packets can meet the fault (argued at each
   * use from where the fault sits in the kernel), plus a control set of the same kind of probe
   * where the fault is not, which must still pass. A probe outside the scope sends nothing that
   * the fault could change, so leaving it out cannot hide a rule the fault breaks.
   */
  readonly scope?: RegExp;
  /**
   * The readiness deadline. The world is settled before the first run and stays so (no kubelet,
   * no kube-proxy: nothing becomes ready later), so a run whose fault makes expected answers fail
   * need not retry them until a deadline: the verifier still sends each at least MIN_TRIES times
   * (3 attempts of up to 4 s), whatever the clock says, which is what covers a slow machine.
   */
  readonly deadlineMs?: number;
}

/** Probes that did not pass, one line each, for assertion messages. */
function describeProblems(probes: readonly ProbeResult[]): string {
  return probes.filter((p) => p.status !== "pass").map((p) => `${p.status} ${p.id} [${p.rule.id}] ${p.reason}`).join("\n");
}

/** The rules with a failing probe, sorted. */
function failingRules(report: VerifyReport): string[] {
  return [...new Set(report.probes.filter((p) => p.status === "fail").map((p) => p.rule.id))].sort();
}

describeKernel(check.ok ? `the verifier against kube-proxy's captured rules on a real kernel (iptables ${check.iptables.backend})` : `real-kernel suite skipped: ${check.ok ? "" : check.reasons.join("; ")}`, () => {
  let world: KernelWorld;
  const began = performance.now();
  const runs: number[] = [];
  let worldUpMs = 0;

  /**
   * One verifier run. Generous per-attempt time: 2 cores shared with other work must not turn a
   * slow answer into a "no" (every frontend answer includes its own DNS lookups and backend call).
   * The later runs send 10 requests for spread and affinity instead of 30: all 10 landing on one
   * of 3 pods by chance has a probability of 5e-5, and the runs are twice as fast.
   * `scope` keeps only the probes whose ids match (see {@link FaultRun}); every run prints where its time went.
   */
  const verifyWorld = async (name: string, run: FaultRun = {}): Promise<VerifyReport> => {
    const started = performance.now();
    const breakdown = new RunBreakdown(name);
    // The capture ran kube-proxy in iptables mode, but its kube-system objects were not captured: state the profile.
    const report = await verify({
      kubeconfig: world.kubeconfigPath, namespace: world.namespace, skip: SKIP_OUTSIDE_DNS, timeoutMs: 4000,
      deadlineMs: run.deadlineMs ?? 20_000, spreadRequests: run.spreadRequests ?? SHORT_SPREAD, dataPlane: "iptables",
      ...(run.scope !== undefined ? { only: run.scope } : {}),
      onProgress: breakdown.onProgress,
    });
    runs.push(performance.now() - started);
    process.stdout.write(`${breakdown.describe(report)}\n`);
    return report;
  };

  beforeAll(async () => {
    if (!check.ok) return;
    world = await startKernelWorld({ iptables: check.iptables, log: (line) => process.stdout.write(`realkernel: ${line}\n`) });
    worldUpMs = performance.now() - began;
  }, 3 * MINUTE);

  afterAll(async () => {
    const closing = performance.now();
    await world?.close();
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    process.stdout.write(
      `realkernel benchmark: world up ${seconds(worldUpMs)} s; ${runs.length} verifier runs ${seconds(runs.reduce((a, b) => a + b, 0))} s ` +
      `(longest ${seconds(Math.max(0, ...runs))} s); teardown ${seconds(performance.now() - closing)} s; whole suite ${seconds(performance.now() - began)} s\n`,
    );
  }, MINUTE);

  test("the full run passes as against a kind cluster: NodePorts on every node, the LoadBalancer, eTP/iTP Local, affinity, spread", async () => {
    const report = await verifyWorld("full", { spreadRequests: 30 });
    expect(describeProblems(report.probes)).toBe("");
    expect(report.exitCode).toBe(0);
    // The agents require the token (PROBE_TOKEN_FILE) and the verifier read it from the world's Secret.
    expect(report.notes.filter((note) => /probe token/.test(note))).toEqual([]);
    const passed = (rule: string) => report.probes.filter((p) => p.rule.id === rule && p.status === "pass");
    // Outside reaches the NodePort on all three nodes, the control plane included, and the LoadBalancer address.
    const nodePortsFromOutside = passed("nodeport-from-outside").filter((p) => p.service === "frontend-nodeport").map((p) => p.target).sort();
    expect(nodePortsFromOutside).toEqual(capture.nodes.map((n) => `node-port:${n.name}:http`).sort());
    expect(passed("lb-from-outside").map((p) => p.subject ?? p.target).join(" ")).toContain(capture.loadBalancerIPs[0]);
    for (const rule of ["etp-local-only-local-nodes", "etp-local-preserves-client", "itp-local-same-node", "session-affinity", "spread", "clusterip-not-from-outside", "pod-ip-not-from-outside", "headless-a-records", "externalname-cname"]) {
      expect([rule, passed(rule).length > 0]).toEqual([rule, true]);
    }
  }, 2 * MINUTE);

  test("svclab explain reads a node's live rules from the world (ip netns exec <node> iptables-save), as from a kind node", async () => {
    const explainOn = async (node: string) => {
      let text = "";
      const out = new PassThrough().on("data", (chunk: Buffer) => (text += chunk.toString()));
      const err = new PassThrough().on("data", (chunk: Buffer) => (text += chunk.toString()));
      // explain runs `docker exec <node> <argv>` on kind; here the node is a network namespace.
      const run = (program: string, args: readonly string[]) => {
        if (program !== "docker" || args[0] !== "exec") throw new Error(`explain ran ${program} ${args.join(" ")}; expected docker exec`);
        return world.execInNode(args[1], args.slice(2));
      };
      const code = await runExplain("frontend-sticky", { namespace: world.namespace, node, kubeconfig: world.kubeconfigPath }, out, err, run);
      return { code, text };
    };
    const live = await explainOn(WORKER);
    expect(live.code).toBe(0);
    expect(live.text).toContain("session affinity");
    for (const pod of capture.pods.filter((p) => p.component === "frontend")) expect(live.text).toContain(`pod ${pod.name} on ${pod.node}`);
    // What the kernel holds now, not what the capture says: without the `-m recent` rules there is no affinity to explain.
    const rules = await world.iptablesSave(WORKER);
    await world.execInNode(WORKER, [world.iptables.restore], rules.split("\n").filter((line) => !/--rcheck /.test(line)).join("\n"));
    try {
      const changed = await explainOn(WORKER);
      expect(changed.code).toBe(0);
      expect(changed.text).not.toContain("session affinity");
    } finally {
      await world.restoreRules(WORKER);
    }
  }, MINUTE);

  describe("a fault made in the kernel fails the rule it breaks and no other", () => {
    test("the NodePort chain of the control plane's nat table flushed: NodePorts on that node only", async () => {
      await world.iptablesIn(CONTROL_PLANE, ["-t", "nat", "-F", "KUBE-NODEPORTS"]);
      try {
        // KUBE-NODEPORTS holds only `--dport <nodePort>` rules, reached for packets to the node's own
        // addresses: only a probe sent to a node port can meet it. Scope: every node-port probe, on all
        // three nodes from every vantage; the two other nodes' are the control set (same Services, same chains).
        const report = await verifyWorld("nodeport-flushed", { scope: new RegExp(`/node-port:(${capture.nodes.map((n) => n.name).join("|")}):`), deadlineMs: 0 });
        expect(failingRules(report)).toEqual(["nodeport-from-outside", "nodeport-from-pod"]);
        const failing = report.probes.filter((p) => p.status === "fail");
        expect(failing.filter((p) => !p.target.startsWith(`node-port:${CONTROL_PLANE}:`)).map((p) => p.id)).toEqual([]);
        expect(failing.filter((p) => p.vantage === "outside").map((p) => `${p.service} ${p.target}`).sort()).toEqual([
          `frontend-lb node-port:${CONTROL_PLANE}:http`,
          `frontend-nodeport node-port:${CONTROL_PLANE}:http`,
        ]);
        expect(report.summary.error).toBe(0);
        const control = report.probes.filter((p) => !p.target.startsWith(`node-port:${CONTROL_PLANE}:`));
        expect(new Set(control.filter((p) => p.status === "pass").map((p) => p.target.split(":")[1]))).toEqual(new Set(capture.nodes.map((n) => n.name).filter((n) => n !== CONTROL_PLANE)));
      } finally {
        await world.restoreRules(CONTROL_PLANE);
      }
    }, 2 * MINUTE);

    test("the service CIDR routed from outside through a node: ClusterIPs answer outside the cluster", async () => {
      const unroute = await world.routeFromOutside(capture.serviceCIDR, WORKER);
      try {
        // A route in the root namespace steers only packets sent from it: only outside probes can meet
        // it. Scope: every outside probe; those to node ports, the LoadBalancer and pod IPs are the control set.
        const report = await verifyWorld("clusterip-routed", { scope: /\/outside$/ });
        expect(failingRules(report)).toEqual(["clusterip-not-from-outside"]);
        expect(report.summary.error).toBe(0);
        const control = report.probes.filter((p) => p.rule.id !== "clusterip-not-from-outside");
        expect(control.map((p) => p.rule.id)).toEqual(expect.arrayContaining(["nodeport-from-outside", "lb-from-outside", "pod-ip-not-from-outside"]));
        expect(control.filter((p) => p.status !== "pass").map((p) => p.id)).toEqual([]);
      } finally {
        await unroute();
      }
    }, 2 * MINUTE);

    test("a SNAT on a worker for traffic from outside: eTP Local no longer shows the client's address", async () => {
      await world.iptablesIn(WORKER, ["-t", "nat", "-I", "POSTROUTING", "1", "!", "-s", capture.clusterCIDR, "-d", capture.clusterCIDR, "-j", "MASQUERADE"]);
      try {
        // The rule rewrites packets leaving the worker for a pod with a source outside the cluster CIDR:
        // from outside, from the API server's proxy (a node address: the api-proxy probes and the delivery
        // of every request to the worker's agent) and node-port/LoadBalancer traffic kube-proxy
        // masqueraded to a node address. Pod probes from the other nodes to ClusterIPs, pod IPs and DNS
        // keep their pod source end to end, so cannot meet it. Scope: the rest; the control set is the
        // same probes on the other nodes (eTP Local on svclab-worker2 still shows the client's address).
        const report = await verifyWorld("etp-snat", { scope: new RegExp(`/outside$|/api-proxy$|/(node-port|lb):|/pod:${WORKER}$`) });
        expect(failingRules(report)).toEqual(["etp-local-preserves-client"]);
        expect(report.summary.error).toBe(0);
        expect(report.probes.filter((p) => p.rule.id === "etp-local-preserves-client" && p.status === "pass").map((p) => p.target)).toEqual([`node-port:${WORKER2}:http:client`]);
        expect(report.probes.filter((p) => p.status === "fail").map((p) => `${p.service} ${p.target} ${p.vantage}`)).toEqual([`frontend-local node-port:${WORKER}:http:client outside`]);
      } finally {
        await world.restoreRules(WORKER);
      }
    }, 2 * MINUTE);

    test("frontend-sticky's `-m recent` rules deleted on every node: session affinity breaks", async () => {
      await Promise.all(capture.nodes.map(async (node) => {
        const rules = await world.iptablesSave(node.name);
        const without = rules.split("\n").filter((line) => !/--rcheck .*--name KUBE-SEP-/.test(line) || !line.includes("svclab/frontend-sticky:http")).join("\n");
        expect(without).not.toEqual(rules);
        await world.execInNode(node.name, [world.iptables.restore], without);
      }));
      try {
        // The deleted rules sit in frontend-sticky's own chains (their comment names it), reached only by
        // packets DNATed for its ClusterIP: only its probes can meet them. Scope: all of frontend-sticky's
        // probes; the other Services' spread checks are the control set (their load balancing is untouched).
        const report = await verifyWorld("affinity-deleted", { scope: /^frontend-sticky\/|:spread\// });
        expect(failingRules(report)).toEqual(["session-affinity"]);
        expect(report.summary.error).toBe(0);
        expect(report.probes.filter((p) => p.rule.id === "spread" && p.status === "pass").map((p) => p.service).sort()).toEqual(["backend", "frontend-lb", "frontend-local", "frontend-nodeport"]);
      } finally {
        await Promise.all(capture.nodes.map((n) => world.restoreRules(n.name)));
      }
    }, 2 * MINUTE);

    test("one node's probe agent stopped: its probes are errors, never a pass, and the run exits 2", async () => {
      const agent = capture.pods.find((p) => p.component === "probe" && p.node === WORKER);
      if (agent === undefined) throw new Error(`the capture has no probe agent on ${WORKER}`);
      await world.stopPod(agent.name);
      try {
        // Only requests sent through that agent can meet its absence. Scope: the probes from its node, and
        // the same probes from another node as the control set, which must all still run.
        const report = await verifyWorld("agent-stopped", { scope: new RegExp(`/pod:(${WORKER}|${WORKER2})$`) });
        const control = report.probes.filter((p) => p.from === WORKER2);
        expect(control.length).toBeGreaterThan(0);
        expect(control.filter((p) => p.status !== "pass").map((p) => p.id)).toEqual([]);
        const fromThatNode = report.probes.filter((p) => p.from === WORKER);
        expect(fromThatNode.length).toBeGreaterThan(0);
        expect(fromThatNode.filter((p) => p.status !== "error").map((p) => `${p.status} ${p.id}`)).toEqual([]);
        expect(report.probes.filter((p) => p.status === "error" && p.from !== WORKER).map((p) => p.id)).toEqual([]);
        expect(report.summary.fail).toBe(0);
        expect(report.exitCode).toBe(2);
      } finally {
        await world.startPod(agent.name);
      }
    }, 2 * MINUTE);
  });

  describe("backend-not-ready: both backend pods not ready, kube-proxy's REJECT rules", () => {
    beforeAll(async () => {
      await world.useScenario("backend-not-ready");
    }, MINUTE);

    test("the full run passes, the backend's ClusterIP refused from every pod", async () => {
      const report = await verifyWorld("backend-not-ready");
      expect(describeProblems(report.probes)).toBe("");
      expect(report.exitCode).toBe(0);
      const refused = report.probes.filter((p) => p.rule.id === "no-endpoints-refuse" && p.service === "backend" && p.vantage === "pod" && p.target.startsWith("cluster-ip:"));
      expect(refused.map((p) => `${p.status} ${p.from ?? ""}`).sort()).toEqual(capture.nodes.map((n) => `pass ${n.name}`).sort());
    }, 2 * MINUTE);

    test("the \"has no endpoints\" REJECT replaced by DROP: no-endpoints-refuse fails and nothing else", async () => {
      await Promise.all(capture.nodes.map(async (node) => {
        const rules = capture.rules("backend-not-ready", node.name);
        const dropping = rules.replace(/(has no endpoints" .*)-j REJECT --reject-with icmp-port-unreachable/g, "$1-j DROP");
        expect(dropping).not.toEqual(rules);
        await world.execInNode(node.name, [world.iptables.restore], dropping);
      }));
      try {
        const report = await verifyWorld("reject-as-drop");
        expect(failingRules(report)).toEqual(["no-endpoints-refuse"]);
        expect(report.summary.error).toBe(0);
      } finally {
        await Promise.all(capture.nodes.map((n) => world.restoreRules(n.name)));
      }
    }, 2 * MINUTE);
  });
});
