/**
 * What discovery costs the API server: one list per distinct selector per
 * poll, never the same list twice, however many Services share a selector.
 */
import { buildWorld, scaledWorldSpec, type World } from "../support/standin";
import { discoverOnce } from "../../verifier/discover";
import type { KubeLists } from "../../verifier/kube/api";
import { verifyWorld } from "./verify-helpers";

/** The pods lists of a run, as the fake API saw them. */
function podLists(world: World): string[] {
  return world.api.requests.filter((r) => /^GET \/api\/v1\/namespaces\/[^/]+\/pods\?/.test(r));
}

/** Every list request of a run (a collection, not one object or a proxy). */
function lists(world: World): string[] {
  return world.api.requests.filter((r) => /^GET [^?]*\/(nodes|services|pods|endpointslices|endpoints)(\?|$)/.test(r));
}

describe("discovery lists", () => {
  let world: World;
  beforeAll(async () => {
    // 24 Services (the lab's catalog three times) over two selectors, plus the probe agents' selector.
    world = await buildWorld(scaledWorldSpec({ services: 24, nodes: 3 }));
  });
  afterAll(async () => {
    await world?.close();
  });

  test("a run over 24 Services sharing two selectors lists pods once per distinct selector, and no list twice", async () => {
    const report = await verifyWorld(world, { only: /^backend\/endpoints\/api$/ });
    expect(report.summary).toMatchObject({ pass: 1, fail: 0, error: 0 });
    expect(report.cluster.services).toHaveLength(24);
    // A settled world is read in one poll.
    expect(podLists(world).map((r) => decodeURIComponent(r)).sort()).toEqual([
      "GET /api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io/component=probe",
      "GET /api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io/part-of=svclab,app.kubernetes.io/component=backend",
      "GET /api/v1/namespaces/svclab/pods?labelSelector=app.kubernetes.io/part-of=svclab,app.kubernetes.io/component=frontend",
    ]);
    const all = lists(world);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(6);
    expect(world.api.requestCounts().list).toBe(6);
  });
});

describe("discovery's pods lists, counted on a fake", () => {
  test("selectors equal but for the order of their terms are listed once", async () => {
    const asked: string[] = [];
    const service = (name: string, selector: Record<string, string>) => ({ metadata: { name }, spec: { type: "ClusterIP", clusterIP: "10.96.0.1", selector, ports: [{ port: 80 }] } });
    const fake: KubeLists = {
      nodes: async () => [],
      services: async () => [service("a", { app: "x", tier: "web" }), service("b", { tier: "web", app: "x" }), service("c", { app: "y" })],
      pods: async (_namespace, selector) => {
        asked.push(selector);
        return [];
      },
      endpointSlices: async () => [],
    };
    const cluster = await discoverOnce(fake, { context: "c", server: "https://127.0.0.1:6443", namespace: "svclab", clusterDomain: "cluster.local" });
    expect(cluster.services.map((s) => s.service.name)).toEqual(["a", "b", "c"]);
    expect(asked.sort()).toEqual(["app.kubernetes.io/component=probe", "app=x,tier=web", "app=y"]);
  });
});
