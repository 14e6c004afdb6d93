/**
 * Stand-in worlds beyond the lab's size, as the verifier benchmark builds
 * them (`npm run bench:verifier -- --services N --nodes M`): the address plan
 * holds them, the limits are stated, and the fake API counts what it is asked.
 */
import * as net from "node:net";
import { AddressPlan } from "../support/standin/addresses";
import { ADDRESS_CAPACITY, buildWorld, httpProbe, scaledWorldSpec, STANDIN_LIMITS, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

describe("the stand-in's address plan and limits", () => {
  test("hands out 2,032 distinct ClusterIPs inside the world's slice, then names what is exhausted", () => {
    const plan = new AddressPlan(42, net.createServer());
    const ips = Array.from({ length: ADDRESS_CAPACITY.clusterIP }, () => plan.clusterIP());
    expect(ADDRESS_CAPACITY.clusterIP).toBe(2032);
    expect(new Set(ips).size).toBe(ips.length);
    expect(ips.every((ip) => /^127\.42\.(3[2-9])\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/.test(ip))).toBe(true);
    expect(() => plan.clusterIP()).toThrow("address plan 127.42.32.0–127.42.39.255 is exhausted: all 2032 clusterIP addresses are taken");
    // Other kinds keep their own blocks.
    expect(plan.podIP()).toBe("127.42.16.1");
    expect(plan.loadBalancerIP()).toBe("127.42.40.1");
  });

  test("a size above the stand-in's limit is refused naming the value and what is allowed", async () => {
    expect(STANDIN_LIMITS).toEqual({ services: 1000, nodes: 16 });
    expect(() => scaledWorldSpec({ services: 1001, nodes: 5 })).toThrow("services: got 1001; allowed: an integer from 1 to 1000 (the stand-in's limit)");
    expect(() => scaledWorldSpec({ services: 8, nodes: 0 })).toThrow("nodes: got 0; allowed: an integer from 1 to 16 (the stand-in's limit)");
    const tooMany = scaledWorldSpec({ services: 8, nodes: 3 });
    await expect(buildWorld({ ...tooMany, nodes: Array.from({ length: 17 }, (_, i) => ({ name: `n${i}`, role: "worker" as const })) })).rejects.toThrow(
      "spec.nodes: got 17 nodes; allowed: at most 16 (the stand-in's limit)",
    );
  });

  test("8 Services × 3 nodes is the lab itself; copies get suffixed names and allocated nodePorts", () => {
    const lab = scaledWorldSpec({ services: 8, nodes: 3 });
    expect(lab.nodes.map((n) => n.name)).toEqual(["svclab-control-plane", "svclab-worker", "svclab-worker2"]);
    const grown = scaledWorldSpec({ services: 20, nodes: 4 });
    expect(grown.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(["svclab-control-plane:control-plane", "svclab-worker:worker", "svclab-worker2:worker", "svclab-worker3:worker"]);
    expect(grown.services.map((s) => s.name).slice(7, 12)).toEqual(["backend-external", "backend-2", "backend-headless-2", "frontend-nodeport-2", "frontend-lb-2"]);
    expect(grown.services.filter((s) => s.nodePort !== undefined).map((s) => s.name)).toEqual(["frontend-nodeport"]);
  });
});

describe("a world of 400 Services (past the old plan's ~320)", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(scaledWorldSpec({ services: 400, nodes: 2 }));
  });
  afterAll(async () => {
    await world?.close();
  });

  test("every Service with a ClusterIP has its own, and the last one answers through the services proxy", async () => {
    const withClusterIP = world.state.services.filter((s) => s.clusterIP !== undefined);
    expect(withClusterIP).toHaveLength(300);
    expect(new Set(withClusterIP.map((s) => s.clusterIP)).size).toBe(300);
    const last = world.state.services[399];
    expect(last?.name).toBe("backend-external-50");
    const answer = await httpProbe(`${world.api.url}/api/v1/namespaces/svclab/services/frontend-internal-local-50:http/proxy/`, {
      timeoutMs: 20000,
      headers: { authorization: `Bearer ${world.api.token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.pod).toMatch(/^frontend-/);
  });

  test("the fake API counts requests by kind: lists, gets, pods proxy, services proxy, other", async () => {
    const before = world.api.requestCounts();
    const get = (path: string) => httpProbe(`${world.api.url}${path}`, { timeoutMs: 20000, headers: { authorization: `Bearer ${world.api.token}` } });
    const agent = world.pods("probe")[0]?.name ?? "";
    await get("/api/v1/nodes");
    await get("/api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dprobe");
    await get("/api/v1/namespaces/svclab/services/backend");
    await get(`/api/v1/namespaces/svclab/pods/${agent}:3000/proxy/`);
    await get("/api/v1/namespaces/svclab/services/backend:http/proxy/");
    await get("/api/v1/namespaces/svclab/services/backend-2:http/proxy/");
    await get("/version");
    const after = world.api.requestCounts();
    expect({
      list: after.list - before.list,
      get: after.get - before.get,
      "pods-proxy": after["pods-proxy"] - before["pods-proxy"],
      "services-proxy": after["services-proxy"] - before["services-proxy"],
      other: after.other - before.other,
    }).toEqual({ list: 2, get: 1, "pods-proxy": 1, "services-proxy": 2, other: 1 });
  });
});

describe("the benchmark's stand-in at 20 Services × 4 nodes", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(scaledWorldSpec({ services: 20, nodes: 4 }));
  });
  afterAll(async () => {
    await world?.close();
  });

  test("passes every probe the verifier plans (outside DNS left out, as in every stand-in run)", async () => {
    const report = await verifyWorld(world);
    expect(describeProblems(report.probes)).toBe("");
    expect(report.exitCode).toBe(0);
    expect(report.cluster.services).toHaveLength(20);
    expect(report.cluster.nodes).toHaveLength(4);
    expect(report.summary.pass).toBe(report.summary.total);
    expect(report.summary.total).toBeGreaterThan(600);
  });
});
