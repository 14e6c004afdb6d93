/**
 * The verifier against a faithful world (the svclab lab emulated on loopback):
 * every rule holds, so every probe must pass and the exit code must be 0.
 */
import { buildWorld, type World } from "../support/standin";
import { VerifyOptionError } from "../../verifier";
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

  test("a probe filter that leaves nothing is refused, not reported as a green run", async () => {
    const run = verifyWorld(world, { only: /no-such-probe/ });
    await expect(run).rejects.toBeInstanceOf(VerifyOptionError);
    await expect(run).rejects.toThrow(
      /^no probe is left after --only no-such-probe, --skip .*: a filter that keeps at least one of the \d+ planned probes \(ids look like [^)]+\/api\)$/,
    );
  });

  test("a run in which every probe was skipped proved nothing and exits 2", async () => {
    // Docker Desktop mode skips the LoadBalancer's outside checks: node IPs and LB addresses are not reachable there.
    const report = await verifyWorld(world, { only: /^frontend-lb\/lb:[^/]*\/outside$/, outsideViaLocalhost: true });
    expect(report.summary).toMatchObject({ pass: 0, fail: 0, error: 0 });
    expect(report.summary.skipped).toBeGreaterThan(0);
    expect(report.notes).toContain(`every one of the ${report.summary.total} probes was skipped: nothing was proven`);
    expect(report.exitCode).toBe(2);
  });
});
