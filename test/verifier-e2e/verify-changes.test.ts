/**
 * The verifier against faithful worlds that are not in their best state:
 * a Service whose pods are not ready, a pod replaced by a new one.
 */
import { buildWorld, defaultWorldSpec } from "../support/standin";
import { describeProblems, problems, verifyWorld } from "./verify-helpers";

describe("verify() when pods come and go", () => {
  test("a backend whose pods are all not ready is proven to refuse, and nothing fails", async () => {
    const world = await buildWorld({
      workloads: [{ component: "backend", replicas: 2, notReady: [0, 1] }],
      services: defaultWorldSpec().services.filter((s) => s.name === "backend"),
    });
    try {
      const report = await verifyWorld(world);
      const refusal = report.probes.find((p) => p.id === `backend/cluster-ip:${world.servicePort}/pod:svclab-worker`);
      expect({ rule: refusal?.rule.id, status: refusal?.status }).toEqual({ rule: "no-endpoints-refuse", status: "pass" });
      expect(report.probes.filter((p) => p.rule.id === "no-endpoints-refuse").length).toBeGreaterThanOrEqual(3);
      expect(describeProblems(report.probes)).toBe("");
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });

  test("ICMP-limited refusal: a Service without ready pods whose refusals are partly lost (rate-limited ICMP) is still proven to refuse", async () => {
    const world = await buildWorld({
      workloads: [{ component: "backend", replicas: 2, notReady: [0, 1] }],
      services: defaultWorldSpec().services.filter((s) => s.name === "backend"),
      faults: { icmpLimitedRefusal: ["backend"] },
    });
    try {
      const report = await verifyWorld(world);
      expect(describeProblems(report.probes)).toBe("");
      const refusals = report.probes.filter((p) => p.rule.id === "no-endpoints-refuse" && p.vantage === "pod");
      // Each agent sends two refused requests at once (ClusterIP and DNS name): one of them lost its refusal and was tried again.
      expect(refusals.filter((p) => /timed out, as the kernel rate-limits the ICMP/.test(p.reason)).length).toBeGreaterThanOrEqual(1);
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });

  test("a headless Service without ready pods has no DNS record (NXDOMAIN, as CoreDNS answers), and the verifier accepts that", async () => {
    // kubernetes/dns docs/specification.md 2.4.1 (after kubernetes/dns#245): no ready endpoints → NXDOMAIN.
    const world = await buildWorld({
      workloads: [{ component: "backend", replicas: 2, notReady: [0, 1] }],
      services: defaultWorldSpec().services.filter((s) => s.name === "backend-headless"),
    });
    try {
      const report = await verifyWorld(world);
      const dns = report.probes.find((p) => p.id === "backend-headless/dns:backend-headless.svclab.svc.cluster.local/pod:svclab-control-plane");
      expect({ rule: dns?.rule.id, status: dns?.status, reason: dns?.reason }).toEqual({ rule: "headless-a-records", status: "pass", reason: expect.any(String) });
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });

  test("with one of two backend pods not ready, the Service still answers and only that pod is an endpoint", async () => {
    const world = await buildWorld({ workloads: [{ component: "frontend", replicas: 3 }, { component: "backend", replicas: 2, notReady: [1] }] });
    try {
      const report = await verifyWorld(world);
      const [ready, notReady] = world.pods("backend");
      expect(report.probes.some((p) => p.subject?.includes(notReady.name) === true)).toBe(false);
      expect(report.probes.some((p) => p.id.startsWith(`backend/pod:${notReady.node}#`))).toBe(false);
      const readyPod = report.probes.find((p) => p.id === `backend/pod:${ready.node}#1:3000/pod:svclab-worker2`);
      expect({ status: readyPod?.status, subject: readyPod?.subject }).toEqual({ status: "pass", subject: `pod ${ready.name} (${ready.podIP})` });
      // One ready pod cannot show spreading: skipped, never passed.
      expect(problems(report.probes)).toEqual([{ id: `backend/cluster-ip:${world.servicePort}:spread/pod:svclab-control-plane`, rule: "spread", status: "skipped" }]);
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });

  test("after a backend pod is replaced, the verifier probes the new pod IP and everything passes again", async () => {
    const world = await buildWorld();
    try {
      const old = world.pods("backend")[0];
      const fresh = await world.replacePod(old.name);
      const report = await verifyWorld(world);
      // The same stable id as before the replacement; its subject is the new pod.
      const probe = report.probes.find((p) => p.id === `backend/pod:${old.node}#1:3000/pod:svclab-control-plane`);
      expect(probe?.subject).toBe(`pod ${fresh.name} (${fresh.podIP})`);
      expect(report.probes.some((p) => p.subject?.includes(old.name) === true)).toBe(false);
      expect(describeProblems(report.probes)).toBe("");
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });

  test("a world whose ClusterIPs and pod IPs refuse from outside (instead of timing out) passes too", async () => {
    const world = await buildWorld({ outsideBlackhole: "refuse" });
    try {
      const report = await verifyWorld(world);
      expect(describeProblems(report.probes)).toBe("");
      expect(report.probes.find((p) => p.id === `backend/cluster-ip:${world.servicePort}/outside`)?.observation).toMatchObject({ kind: "http" });
      expect(report.exitCode).toBe(0);
    } finally {
      await world.close();
    }
  });
});
