/**
 * The verifier sends each probe agent its whole share of a run in a few
 * `POST /dial` batches through the pods proxy (docs/verifier.md, "How pod
 * probes travel"), counted on the stand-in's API server; verdicts stay those
 * of the faithful world (every probe passes).
 */
import { buildWorld, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

/** The bound: pods-proxy requests per node and run. */
const MAX_AGENT_REQUESTS_PER_NODE = 10;

describe("verify() talks to each probe agent in a few batches", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test(`every probe passes, with at most ${MAX_AGENT_REQUESTS_PER_NODE} pods-proxy requests per node, all of them POST /dial batches`, async () => {
    const before = world.api.requests.length;
    const report = await verifyWorld(world);
    expect(describeProblems(report.probes)).toBe("");
    expect(report.exitCode).toBe(0);

    const podProxy = world.api.requests.slice(before).filter((r) => /^\S+ \/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/proxy\//.test(r));
    const podProbes = report.probes.filter((p) => p.vantage === "pod" && p.status !== "skipped");
    expect(podProbes.length).toBeGreaterThan(50);
    // Every pod probe went through a batch: no single GET /dial or /resolve is left.
    expect(podProxy.filter((r) => !/^POST \/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+:3000\/proxy\/dial$/.test(r))).toEqual([]);
    const perAgent = new Map<string, number>();
    for (const r of podProxy) {
      const pod = /\/pods\/([^/:]+)/.exec(r)?.[1] as string;
      perAgent.set(pod, (perAgent.get(pod) ?? 0) + 1);
    }
    const agents = world.pods("probe").map((p) => p.name).sort();
    expect([...perAgent.keys()].sort()).toEqual(agents);
    for (const [pod, count] of perAgent) {
      expect({ pod, count: count <= MAX_AGENT_REQUESTS_PER_NODE }).toEqual({ pod, count: true });
    }
    // One agent per node, so this is also the count per node.
    expect(podProxy.length).toBeLessThanOrEqual(MAX_AGENT_REQUESTS_PER_NODE * world.nodes().length);
  });
});
