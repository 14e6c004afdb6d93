/**
 * The verifier against a dual-stack stand-in world: the first node also has
 * an IPv6 address and two Services are dual-stack, all on ::1 (the only IPv6
 * address a test may reach). Every family is probed and passes: each
 * ClusterIP from every pod and not from outside, the AAAA record, the node
 * port on the node's IPv6 address from outside and from pods.
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

test("the stand-in refuses dual-stack Services that would share ::1 on one port", async () => {
  await expect(buildWorld({ ...DUAL, services: [{ name: "a", kind: "ClusterIP", over: "backend", dualStack: true }, { name: "b", kind: "ClusterIP", over: "backend", dualStack: true }] }))
    .rejects.toThrow("spec.services: dual-stack Services share ::1, the one IPv6 loopback address, so their ports must differ; got a:80, b:80");
});
