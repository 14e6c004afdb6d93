/**
 * The verifier against a dual-stack stand-in world: the first node also has
 * an IPv6 address and two Services are dual-stack, all on ::1 (the only IPv6
 * address a test may reach); every pod has an IPv6 pod IP (IPv4-mapped, so it
 * lands on loopback) and dual-stack Services an IPv6 EndpointSlice. Every
 * family is probed and passes: each ClusterIP from every pod and not from
 * outside, the AAAA records, the node port on the node's IPv6 address from
 * outside and from pods, each pod IP of each family.
 */
import { buildWorld, type WorldSpecOverrides } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

const DUAL: WorldSpecOverrides = {
  ipFamily: "dual",
  workloads: [{ component: "backend", replicas: 2 }],
  services: [
    { name: "backend", kind: "ClusterIP", over: "backend", dualStack: true },
    // ::1 is shared, so the second dual-stack Service needs its own port.
    { name: "backend-np", kind: "NodePort", over: "backend", dualStack: true, port: 8081, nodePort: 30090 },
    { name: "backend-v4", kind: "NodePort", over: "backend", nodePort: 30091 },
    { name: "backend-hl", kind: "Headless", over: "backend", dualStack: true },
  ],
};

test("a dual-stack world is probed on both families and passes", async () => {
  const world = await buildWorld(DUAL);
  try {
    // Generous bounds: nothing here may depend on the machine's speed.
    const report = await verifyWorld(world, { timeoutMs: 1500, deadlineMs: 8000 });
    const status = (id: string) => report.probes.find((p) => p.id === id)?.status ?? `no probe ${id}`;
    const port = world.servicePort;
    const cp = "svclab-control-plane";
    expect({
      ipv6ClusterIpFromPods: world.nodes().map((n) => status(`backend/cluster-ip:ipv6:${port}/pod:${n.name}`)),
      ipv6ClusterIpFromOutside: status(`backend/cluster-ip:ipv6:${port}/outside`),
      aaaa: status(`backend/dns:backend.svclab.svc.cluster.local:aaaa/pod:${cp}`),
      ipv6NodePortFromOutside: status(`backend-np/node-port:${cp}:http:ipv6/outside`),
      ipv6NodePortFromPods: world.nodes().map((n) => status(`backend-np/node-port:${cp}:http:ipv6/pod:${n.name}`)),
    }).toEqual({
      ipv6ClusterIpFromPods: ["pass", "pass", "pass"],
      ipv6ClusterIpFromOutside: "pass",
      aaaa: "pass",
      ipv6NodePortFromOutside: "pass",
      ipv6NodePortFromPods: ["pass", "pass", "pass"],
    });
    const ipv6Node = report.probes.find((p) => p.id === `backend-np/node-port:${cp}:http:ipv6/outside`);
    expect(ipv6Node?.observation.kind === "http" ? ipv6Node.observation.attempts[0]?.identity?.pod : undefined).toMatch(/^backend-/);
    // A single-stack Service is not probed on the node's IPv6 address.
    expect(report.probes.filter((p) => p.service === "backend-v4" && p.id.includes(":ipv6:"))).toEqual([]);
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
  } finally {
    await world.close();
  }
});

test("every pod IP is probed in both families: the IPv6 EndpointSlice's addresses from every node, not from outside", async () => {
  const world = await buildWorld(DUAL);
  try {
    const report = await verifyWorld(world, { timeoutMs: 1500, deadlineMs: 8000 });
    const ipv6 = report.probes.filter((p) => p.service === "backend" && p.rule.id.startsWith("pod-ip-") && p.id.includes(":ipv6:"));
    // Two backend pods, each from outside and from the agent on every node.
    expect(ipv6).toHaveLength(2 * (1 + world.nodes().length));
    expect(ipv6.map((p) => p.id)).toContain("backend/pod:svclab-worker#1:ipv6:3000/pod:svclab-control-plane");
    expect(ipv6.map((p) => [p.id, p.status])).toEqual(ipv6.map((p) => [p.id, "pass"]));
    // Each named by its IPv6 pod IP (IPv4-mapped in the stand-in, so it lands on loopback).
    for (const p of ipv6) expect(p.subject).toMatch(/^pod backend-\S+ \(::ffff:7f[0-9a-f]{2}:[0-9a-f]+\)$/);
    const answered = ipv6.find((p) => p.vantage === "pod");
    expect(answered?.observation.kind === "http" ? answered.observation.attempts[0]?.identity?.pod : undefined).toMatch(/^backend-/);
    const status = (id: string) => report.probes.find((p) => p.id === id)?.status ?? `no probe ${id}`;
    expect({
      ipv6Slice: status("backend/endpoints:ipv6/api"),
      headlessAaaa: status("backend-hl/dns:backend-hl.svclab.svc.cluster.local:aaaa/pod:svclab-control-plane"),
    }).toEqual({ ipv6Slice: "pass", headlessAaaa: "pass" });
    expect({ exit: report.exitCode, problems: describeProblems(report.probes) }).toEqual({ exit: 0, problems: "" });
  } finally {
    await world.close();
  }
});

test("a pod network that carries no IPv6 between pods fails the IPv6 pod-IP probes only", async () => {
  const world = await buildWorld({ ...DUAL, faults: { podIPv6Unrouted: true } });
  try {
    const report = await verifyWorld(world, { timeoutMs: 1500, deadlineMs: 8000 });
    const failed = report.probes.filter((p) => p.status === "fail");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((p) => p.rule.id !== "pod-ip-from-pod" || !p.id.includes(":ipv6:")).map((p) => p.id)).toEqual([]);
    // Every IPv6 pod IP from every node, for each Service over the pods; IPv4 pod IPs still answer.
    expect(failed.map((p) => p.id)).toContain("backend/pod:svclab-worker#1:ipv6:3000/pod:svclab-control-plane");
    expect(report.probes.find((p) => p.id === "backend/pod:svclab-worker#1:3000/pod:svclab-control-plane")?.status).toBe("pass");
    expect(report.exitCode).toBe(1);
  } finally {
    await world.close();
  }
});

test("the stand-in refuses dual-stack Services that would share ::1 on one port", async () => {
  await expect(buildWorld({ ...DUAL, services: [{ name: "a", kind: "ClusterIP", over: "backend", dualStack: true }, { name: "b", kind: "ClusterIP", over: "backend", dualStack: true }] }))
    .rejects.toThrow("spec.services: dual-stack Services share ::1, the one IPv6 loopback address, so their ports must differ; got a:80, b:80");
});
