/**
 * The verifier against stand-in worlds whose data plane differs from kind's
 * kube-proxy in iptables mode: it detects (or is told) what implements
 * Services, records how it knew, and its expectations follow it; a network
 * that routes pod IPs is a property, not a failure, unless isolation is asked.
 */
import { defaultWorldSpec, buildWorld, type WorldSpecOverrides } from "../support/standin";
import { describeProblems, problems, verifyWorld } from "./verify-helpers";
import type { VerifyOptions } from "../../verifier";

/** Backend only, both pods not ready: every probe of the backend meets a Service without endpoints. */
const BACKEND_WITHOUT_ENDPOINTS: WorldSpecOverrides = {
  workloads: [{ component: "backend", replicas: 2, notReady: [0, 1] }],
  services: defaultWorldSpec().services.filter((s) => s.name === "backend"),
};

/**
 * Backend pods and Services only, all ready: a frontend answering from its pod
 * IP would wait out its own backend call, which a loaded machine can push past
 * the test's short timeout.
 */
const BACKEND_ONLY: WorldSpecOverrides = {
  workloads: [{ component: "backend", replicas: 2 }],
  services: defaultWorldSpec().services.filter((s) => s.over === "backend"),
};

async function run(world: WorldSpecOverrides, options: Partial<VerifyOptions> = {}) {
  const built = await buildWorld(world);
  try {
    // Generous bounds: nothing here may depend on the machine's speed (a drop is a timeout either way).
    return { world: built, report: await verifyWorld(built, { timeoutMs: 1500, deadlineMs: 8000, ...options }) };
  } finally {
    await built.close();
  }
}

describe("the data plane is detected and recorded", () => {
  test("kind's kube-proxy ConfigMap names iptables: detected, with the object and field it came from", async () => {
    const { report } = await run(BACKEND_ONLY);
    expect(report.cluster.dataPlane).toMatchObject({ implementation: "kube-proxy", profile: "iptables", source: "detected", noEndpoints: "refused" });
    expect(report.cluster.dataPlane?.evidence).toMatch(/ConfigMap kube-system\/kube-proxy config.conf mode "iptables"/);
    expect(report.notes).toContainEqual(expect.stringMatching(/^data plane: kube-proxy \(iptables mode\) — detected: /));
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
  });

  test("a --proxy-mode flag on the kube-proxy DaemonSet is read", async () => {
    const { report } = await run({ ...BACKEND_WITHOUT_ENDPOINTS, dataPlane: { kind: "kube-proxy", mode: "ipvs", shownBy: "flag" } });
    expect(report.cluster.dataPlane).toMatchObject({ profile: "ipvs", source: "detected" });
    expect(report.cluster.dataPlane?.evidence).toMatch(/--proxy-mode=ipvs/);
  });

  test("kube-system forbidden: the data plane is unknown, the run goes on and says how to state it", async () => {
    const { report } = await run({ ...BACKEND_ONLY, faults: { kubeSystemForbidden: true } });
    expect(report.cluster.dataPlane).toMatchObject({ profile: "unknown", source: "unknown", noEndpoints: "no-answer" });
    expect(report.cluster.dataPlane?.evidence).toMatch(/reading kube-system was refused \(.*HTTP 403.*forbidden.*\); grant get on daemonsets and configmaps in kube-system, or state it with --data-plane/);
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
  });
});

describe("a Service without ready pods, as the data plane handles it", () => {
  test("Cilium drops: the verifier expects no answer, passes, and names the timeout it saw", async () => {
    const { world, report } = await run({ ...BACKEND_WITHOUT_ENDPOINTS, dataPlane: { kind: "cilium" } });
    expect(report.cluster.dataPlane).toMatchObject({ implementation: "cilium", profile: "cilium", source: "detected", noEndpoints: "no-answer" });
    expect(problems(report.probes)).toEqual([]);
    const clusterIp = report.probes.find((p) => p.id === `backend/cluster-ip:${world.servicePort}/pod:svclab-worker`);
    expect(clusterIp).toMatchObject({ rule: { id: "no-endpoints-no-answer" }, status: "pass", expectNo: true });
    expect(clusterIp?.reason).toMatch(/timeout/);
    expect(report.probes.some((p) => p.rule.id === "no-endpoints-refuse")).toBe(false);
  });

  test("told --data-plane iptables on that Cilium cluster, a drop fails the refusal rule and the disagreement is noted", async () => {
    const { world, report } = await run({ ...BACKEND_WITHOUT_ENDPOINTS, dataPlane: { kind: "cilium" } }, { dataPlane: "iptables" });
    expect(report.cluster.dataPlane).toMatchObject({ profile: "iptables", source: "stated" });
    expect(report.notes).toContainEqual(expect.stringMatching(/^--data-plane iptables was stated, but kube-system shows Cilium/));
    expect(report.probes.find((p) => p.id === `backend/cluster-ip:${world.servicePort}/pod:svclab-worker`)).toMatchObject({
      rule: { id: "no-endpoints-refuse" },
      status: "fail",
    });
    expect(report.exitCode).toBe(1);
  });

  test("kube-proxy iptables refuses, and the refusal is what is expected", async () => {
    const { world, report } = await run(BACKEND_WITHOUT_ENDPOINTS);
    expect(report.probes.find((p) => p.id === `backend/cluster-ip:${world.servicePort}/pod:svclab-worker`)).toMatchObject({
      rule: { id: "no-endpoints-refuse" },
      status: "pass",
      reason: "connection refused",
    });
  });
});

describe("pod IPs routable from outside (EKS VPC CNI, GKE VPC-native)", () => {
  test("are reported as a property of the network, not a failure", async () => {
    const { report } = await run({ ...BACKEND_ONLY, podNetwork: "routable" });
    expect(report.cluster.network).toMatchObject({ podIPsFromOutside: "routable", expectIsolated: false });
    expect(report.cluster.network?.evidence).toMatch(/^pod backend-\S+ answered at its own pod IP 127\.\d+\.(?:1[6-9])\.\d+ from this machine$/);
    const podIpOutside = report.probes.filter((p) => p.rule.id === "pod-ip-not-from-outside");
    expect(podIpOutside.length).toBeGreaterThan(0);
    expect(new Set(podIpOutside.map((p) => p.status))).toEqual(new Set(["skipped"]));
    expect(podIpOutside[0]?.reason).toMatch(/pod IPs are routable from this machine: a property of this network/);
    expect(report.notes).toContainEqual(expect.stringMatching(/^network: pod .* answered at its own pod IP/));
    expect({ exit: report.exitCode, problems: describeProblems(report.probes.filter((p) => p.status !== "skipped")) }).toEqual({ exit: 0, problems: "" });
  });

  test("fail with --expect-isolated", async () => {
    const { report } = await run({ ...BACKEND_ONLY, podNetwork: "routable" }, { expectIsolated: true });
    expect(report.cluster.network).toMatchObject({ podIPsFromOutside: "routable", expectIsolated: true });
    const blamed = new Set(report.probes.filter((p) => p.status === "fail").map((p) => p.rule.id));
    expect(blamed).toEqual(new Set(["pod-ip-not-from-outside"]));
    expect(report.exitCode).toBe(1);
  });

  test("with ClusterIPs answering too (a verifier on a node), both are properties of the network", async () => {
    const { report } = await run({ ...BACKEND_ONLY, podNetwork: "routable", faults: { clusterIPAnswersFromOutside: ["backend"] } });
    const clusterIp = report.probes.filter((p) => p.rule.id === "clusterip-not-from-outside" && p.service === "backend");
    expect(clusterIp.map((p) => p.status)).toEqual(["skipped"]);
    expect(report.exitCode).toBe(0);
  });

  test("an isolated pod network is recorded as such, and a routed Service range alone still fails", async () => {
    const { report } = await run({ ...BACKEND_ONLY, faults: { clusterIPAnswersFromOutside: ["backend"] } });
    expect(report.cluster.network?.podIPsFromOutside).toBe("isolated");
    expect(report.probes.filter((p) => p.rule.id === "clusterip-not-from-outside" && p.service === "backend").map((p) => p.status)).toEqual(["fail"]);
  });
});
