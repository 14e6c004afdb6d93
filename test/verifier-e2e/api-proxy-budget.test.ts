/**
 * The API-proxy budget through verify() against a stand-in of 40 Services × 2
 * nodes: the API server's services proxy is asked about 8 Services per node
 * (every Service shape first), the rest are reported skipped with the reason,
 * and the fake API server's own counter confirms it.
 */
import { buildWorld, scaledWorldSpec, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

/** The services-proxy paths the fake API server served, one entry per request. */
function servicesProxyRequests(world: World, from: number): string[] {
  return world.api.requests.slice(from).filter((r) => /^GET \/api\/v1\/namespaces\/[^/]+\/services\/[^/]+\/proxy\//.test(r));
}

/** The Service a services-proxy request went to. */
function serviceOf(request: string): string {
  return decodeURIComponent(/\/services\/([^/]+)\/proxy\//.exec(request)?.[1] ?? "").split(":")[0] as string;
}

describe("the API-proxy budget at 40 Services × 2 nodes", () => {
  let world: World;
  beforeAll(async () => {
    // The lab's 8 Services, five times over: 8 shapes, 40 Services.
    world = await buildWorld(scaledWorldSpec({ services: 40, nodes: 2 }));
  });
  afterAll(async () => {
    await world?.close();
  });

  test("by default 16 Services (8 per node) are probed through the proxy, every shape first; the other 24 are skipped with the reason, and the run exits 0", async () => {
    const counted = world.api.requestCounts()["services-proxy"];
    const from = world.api.requests.length;
    const report = await verifyWorld(world);

    const proxyProbes = report.probes.filter((p) => p.vantage === "api-proxy");
    expect(proxyProbes).toHaveLength(40);
    const probed = proxyProbes.filter((p) => p.status !== "skipped").map((p) => p.service);
    expect(probed).toEqual([
      "backend", "backend-2", "backend-3", "backend-4", "backend-5",
      "backend-external", "backend-external-2", "backend-external-3", "backend-external-4", "backend-external-5",
      "backend-headless", "frontend-internal-local", "frontend-lb", "frontend-local", "frontend-nodeport", "frontend-sticky",
    ]);
    // Probed Services keep their verdicts: every one of them passes, as without the bound.
    expect(describeProblems(report.probes.filter((p) => probed.includes(p.service) || p.vantage !== "api-proxy"))).toBe("");

    expect(report.probes.find((p) => p.id === "frontend-nodeport-3/proxy:http/api-proxy")).toMatchObject({
      status: "skipped",
      rule: { id: "service-via-api-proxy" },
      reason:
        "not probed through the API server's proxy: 16 of 40 Services are per run (--api-proxy-max 16, default 8 per node, to bound the API server's load; " +
        "raise it, or give all to probe every one); a Service of the same shape, frontend-nodeport, was",
    });
    expect(report.notes).toContain(
      "API server proxy: 16 of 40 Services probed through it, covering every one of the 8 Service shapes; the other 24 are reported skipped " +
        "(--api-proxy-max 16, default 8 per node, to bound the API server's load; raise it, or give all to probe every one)",
    );
    // Skipped is never counted as passed, and does not fail the run.
    expect(report.summary).toMatchObject({ skipped: 24, fail: 0, error: 0, pass: report.summary.total - 24 });
    expect(report.exitCode).toBe(0);

    // The API server's side: at most 16 services-proxy requests, to the 16 Services probed only.
    expect(world.api.requestCounts()["services-proxy"] - counted).toBeLessThanOrEqual(16);
    expect([...new Set(servicesProxyRequests(world, from).map(serviceOf))].sort()).toEqual([...probed].sort());
  });

  test('apiProxyMax sets the bound, below the shapes too; "all" probes every Service through the proxy, as before the bound', async () => {
    const only = /\/api-proxy$/;
    let counted = world.api.requestCounts()["services-proxy"];
    const four = await verifyWorld(world, { apiProxyMax: 4, only });
    expect(four.probes.filter((p) => p.status !== "skipped").map((p) => p.service)).toEqual(["backend", "backend-external", "backend-headless", "frontend-internal-local"]);
    expect(four.probes.find((p) => p.id === "frontend-lb/proxy:http/api-proxy")?.reason).toBe(
      "not probed through the API server's proxy: 4 of 40 Services are per run (--api-proxy-max 4, default 8 per node, to bound the API server's load; " +
        "raise it, or give all to probe every one); no Service of the same shape was: the 8 shapes need --api-proxy-max 8 or more",
    );
    expect(four.summary).toMatchObject({ pass: 4, skipped: 36, total: 40 });
    expect(world.api.requestCounts()["services-proxy"] - counted).toBeLessThanOrEqual(4);

    counted = world.api.requestCounts()["services-proxy"];
    const all = await verifyWorld(world, { apiProxyMax: "all", only });
    expect(all.probes).toHaveLength(40);
    expect(describeProblems(all.probes)).toBe("");
    expect(all.notes.filter((n) => n.startsWith("API server proxy:"))).toEqual([]);
    expect(world.api.requestCounts()["services-proxy"] - counted).toBeGreaterThanOrEqual(40);
  });
});
