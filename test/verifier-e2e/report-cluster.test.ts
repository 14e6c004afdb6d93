/**
 * The report carries the cluster picture the views draw: Services with their
 * pods and endpoints, and the probe agents, next to the nodes.
 */
import { buildWorld, type World } from "../support/standin";
import { verifyWorld } from "./verify-helpers";

describe("the report's cluster", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test("names every Service with its type, ports and selected pods, and every probe agent", async () => {
    const report = await verifyWorld(world, { only: /^backend\// });
    const cluster = report.cluster;
    expect(cluster.clusterDomain).toBe("cluster.local");
    expect(cluster.services?.map((s) => s.service.name)).toEqual([...world.spec.services.map((s) => s.name)].sort());
    const lb = cluster.services?.find((s) => s.service.name === "frontend-lb");
    expect(lb?.service.type).toBe("LoadBalancer");
    expect(lb?.service.ports[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb?.pods.map((p) => p.name).sort()).toEqual(world.pods("frontend").map((p) => p.name).sort());
    expect(cluster.agents?.map((a) => a.nodeName).sort()).toEqual(world.nodes().map((n) => n.name).sort());
    // The JSON form round-trips: it is what `svclab report --from` reads back.
    expect(JSON.parse(JSON.stringify(report)).cluster.services).toHaveLength(world.spec.services.length);
  });
});
