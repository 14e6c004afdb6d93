/**
 * Two runs of the same lab (two stand-in worlds: every pod has another random
 * name, every address another /16) give identical probe ids and JUnit test
 * names, so a CI system can follow each test over time (issue 9, item 10).
 */
import { renderJunit, type VerifyReport } from "../../verifier";
import { buildWorld, type World } from "../support/standin";
import { verifyWorld } from "./verify-helpers";

/** `classname name` of every JUnit test case, in document order. */
function junitNames(report: VerifyReport): string[] {
  const xml = renderJunit(report);
  return [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe("probe ids across two runs of the same lab", () => {
  const worlds: World[] = [];
  const reports: VerifyReport[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const world = await buildWorld();
      worlds.push(world);
      reports.push(await verifyWorld(world));
    }
  });
  afterAll(async () => {
    await Promise.all(worlds.map((w) => w.close()));
  });

  test("the two labs really differ in pod names", () => {
    const names = (w: World) => w.pods().map((p) => p.name).sort();
    expect(names(worlds[0] as World)).not.toEqual(names(worlds[1] as World));
  });

  test("probe ids and JUnit names are identical", () => {
    const [a, b] = reports as [VerifyReport, VerifyReport];
    expect(b.probes.map((p) => p.id)).toEqual(a.probes.map((p) => p.id));
    const names = junitNames(a);
    expect(names.length).toBe(a.probes.length);
    expect(junitNames(b)).toEqual(names);
  });

  test("no id names a pod of the run; the real name is in the probe's subject", () => {
    const [world] = worlds as [World];
    const [report] = reports as [VerifyReport];
    const ids = report.probes.map((p) => p.id).join("\n");
    for (const pod of world.pods()) expect(ids).not.toContain(pod.name);
    const backend = world.pods("backend")[0];
    const probe = report.probes.find((p) => p.id === `backend/pod:${backend?.node}#1:3000/outside`);
    expect(probe?.subject).toBe(`pod ${backend?.name} (${backend?.podIP})`);
  });
});
