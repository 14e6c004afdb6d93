/**
 * The verifier against stand-in worlds caught mid-rollout or with a sick node
 * (issue 9, item 7): a Service whose pods are all terminating but still
 * serving, a headless Service with publishNotReadyAddresses, a NotReady node.
 */
import { defaultWorldSpec, buildWorld, type WorldSpecOverrides } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";
import type { VerifyOptions } from "../../verifier";

/** Backend only, both pods being deleted but still passing readiness: the Service has no ready endpoint, two serving-but-terminating. */
const BACKEND_LEAVING: WorldSpecOverrides = {
  workloads: [{ component: "backend", replicas: 2, terminating: [0, 1] }],
  services: defaultWorldSpec().services.filter((s) => s.over === "backend"),
};

async function run(world: WorldSpecOverrides, options: Partial<VerifyOptions> = {}) {
  const built = await buildWorld(world);
  try {
    return await verifyWorld(built, options);
  } finally {
    await built.close();
  }
}

describe("a Service whose pods are all terminating but still serving", () => {
  test("kube-proxy v1.34 sends to them: the ClusterIP and DNS name reach a terminating pod, and the reason says why", async () => {
    const report = await run(BACKEND_LEAVING);
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
    expect(report.cluster.dataPlane).toMatchObject({ kubeProxyVersion: "v1.34.0", terminatingFallback: "yes" });
    const fallback = report.probes.filter((p) => p.rule.id === "terminating-fallback");
    // From each of the three nodes: the ClusterIP and the DNS name.
    expect(fallback).toHaveLength(6);
    for (const p of fallback) expect(p.id).toMatch(/^backend\/(cluster-ip|dns:backend\.svclab\.svc\.cluster\.local):\d+\/pod:svclab-(control-plane|worker|worker2)$/);
    for (const p of fallback) {
      expect(p.reason).toMatch(/^answered by pod backend-\S+ on svclab-worker2? — no ready endpoint, 2 serving-but-terminating \(backend-\S+, backend-\S+\): kube-proxy v1\.34\.0 \(1\.26\+\) sends to serving-but-terminating pods when no ready pod is left$/);
    }
    // The API server's service proxy has no such fallback.
    const proxy = report.probes.find((p) => p.id === "backend/proxy:http/api-proxy")!;
    expect(proxy).toMatchObject({ status: "pass", rule: { id: "no-endpoints-refuse" } });
    expect(proxy.reason).toContain("the API server's service proxy uses ready endpoints only");
  });

  test("kube-proxy v1.24 does not: the ClusterIP still refuses, and the reason says the terminating pods are not used", async () => {
    const report = await run({ ...BACKEND_LEAVING, dataPlane: { kind: "kube-proxy", mode: "iptables", shownBy: "configmap", version: "v1.24.2" } });
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
    expect(report.cluster.dataPlane).toMatchObject({ kubeProxyVersion: "v1.24.2", terminatingFallback: "no" });
    const refused = report.probes.filter((p) => p.id.startsWith("backend/cluster-ip:") && p.vantage === "pod");
    expect(refused.map((p) => [p.rule.id, p.status])).toEqual(refused.map(() => ["no-endpoints-refuse", "pass"]));
    for (const p of refused) expect(p.reason).toContain("kube-proxy v1.24.2 (before 1.26) does not send to serving-but-terminating pods");
  });

  test("a data plane kube-system does not name (as on k3s): a terminating pod's answer passes as one, with the case named", async () => {
    const report = await run({ ...BACKEND_LEAVING, dataPlane: { kind: "hidden" } });
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
    expect(report.cluster.dataPlane).toMatchObject({ profile: "unknown", terminatingFallback: "unknown" });
    const fromPods = report.probes.filter((p) => p.id.startsWith("backend/cluster-ip:") && p.vantage === "pod");
    for (const p of fromPods) {
      expect(p.rule.id).toBe("terminating-fallback");
      expect(p.reason).toMatch(/^answered by pod backend-\S+ on \S+, a serving-but-terminating endpoint — no ready endpoint, 2 serving-but-terminating .* is unknown/);
    }
  });
});

describe("publishNotReadyAddresses on a headless Service", () => {
  test("the name resolves to the not-ready pod too, and its endpoints are every selected pod", async () => {
    const report = await run({
      workloads: [{ component: "backend", replicas: 2, notReady: [1] }],
      services: [{ name: "backend-headless", kind: "Headless", over: "backend", publishNotReadyAddresses: true }],
    });
    expect({ exit: report.exitCode, problems: describeProblems(report.probes), notes: report.notes.filter((n) => n.startsWith("not settled")) }).toEqual({
      exit: 0,
      problems: "",
      notes: [],
    });
    const records = report.probes.filter((p) => p.rule.id === "headless-a-records");
    expect(records).toHaveLength(3);
    for (const p of records) expect(p.reason).toMatch(/^resolved to \[\S+, \S+\]$/);
    expect(report.probes.find((p) => p.id === "backend-headless/endpoints/api")?.reason).toMatch(/= selected pods, ready or not \(publishNotReadyAddresses\)/);
  });
});

describe("a NotReady node", () => {
  test("is skipped with its reason: no error, no failure, the other nodes probed as before", async () => {
    const nodes = defaultWorldSpec().nodes.map((n) =>
      n.name === "svclab-worker2" ? { ...n, notReady: { reason: "KubeletNotReady", message: "container runtime is down" } } : n,
    );
    const report = await run({
      nodes,
      workloads: [{ component: "frontend", replicas: 3 }],
      services: defaultWorldSpec().services.filter((s) => s.name === "frontend-nodeport"),
    });
    expect({ exit: report.exitCode, problems: describeProblems(report.probes.filter((p) => p.status !== "skipped")) }).toEqual({ exit: 0, problems: "" });
    const why = "node svclab-worker2 is NotReady (Ready=False): KubeletNotReady: container runtime is down";
    const skipped = report.probes.filter((p) => p.status === "skipped");
    expect(skipped.map((p) => p.reason)).toEqual(skipped.map(() => why));
    const ids = skipped.map((p) => p.id);
    expect(ids).toContain("probe/agent:svclab-worker2/api");
    expect(ids).toContain("frontend-nodeport/node-port:svclab-worker2:http/outside");
    expect(ids).toContain("frontend-nodeport/node-port:svclab-worker2:http/pod:svclab-worker");
    expect(ids.filter((id) => id.endsWith("/pod:svclab-worker2")).length).toBeGreaterThan(0);
    expect(report.probes.find((p) => p.id === "frontend-nodeport/node-port:svclab-worker:http/outside")?.status).toBe("pass");
    expect(report.cluster.nodes.find((n) => n.name === "svclab-worker2")).toMatchObject({ ready: false, notReady: why });
  });
});
