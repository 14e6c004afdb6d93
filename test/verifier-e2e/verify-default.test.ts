/**
 * The verifier against a faithful world (the svclab lab emulated on loopback):
 * every rule holds, so every probe must pass and the exit code must be 0.
 */
import { buildWorld, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

describe("verify() against the default stand-in lab", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test("every probe passes and the exit code is 0", async () => {
    const report = await verifyWorld(world);
    expect(describeProblems(report.probes)).toBe("");
    expect(report.exitCode).toBe(0);
    expect(report.summary.fail + report.summary.error).toBe(0);
    expect(report.summary.total).toBeGreaterThan(50);
  });
});
