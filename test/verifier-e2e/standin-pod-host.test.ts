/**
 * A stand-in world whose demo-app pods run in a child process (`podHost:
 * "child"`, as the sized benchmark builds it): the verifier must not see a
 * difference, the world's changes (readiness, replaced pods) must reach the
 * apps across the process boundary, and closing the world must leave no
 * process behind — nor may a pod host that dies leave a world that hangs.
 */
import { buildWorld, httpProbe, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

/** Whether a process with that pid exists (signal 0 checks without sending anything). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function appUrl(pod: { wire: string; listenPort: number }, path = "/"): string {
  return `http://${pod.wire}:${pod.listenPort}${path}`;
}

describe("a stand-in world whose pods run in a pod host process", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld({}, { podHost: "child" });
  });
  afterAll(async () => {
    // The last test closed it; this is for a run that failed before (a second close() does nothing).
    await world.close();
  });

  test("the demo apps run in another live process, and the verifier's full run of the lab passes", async () => {
    expect(world.podHostPid).toEqual(expect.any(Number));
    expect(world.podHostPid).not.toBe(process.pid);
    expect(processExists(world.podHostPid)).toBe(true);
    const report = await verifyWorld(world);
    expect(describeProblems(report.probes)).toBe("");
    expect(report.summary.total).toBeGreaterThan(50);
    expect(report.exitCode).toBe(0);
  });

  test("a readiness flip reaches the app in the pod host: its /readyz says 503, then 200 again", async () => {
    const backend = world.pods("backend")[0];
    await world.setPodReady(backend.name, false);
    expect(await httpProbe(appUrl(backend, "/readyz"))).toEqual({ status: 503, body: { ready: false } });
    await world.setPodReady(backend.name, true);
    expect(await httpProbe(appUrl(backend, "/readyz"))).toEqual({ status: 200, body: { ready: true } });
  });

  test("a replaced pod's app stops in the pod host and its replacement answers with the new pod's name", async () => {
    const old = world.pods("frontend")[0];
    const fresh = await world.replacePod(old.name);
    expect(await httpProbe(appUrl(old))).toEqual({ error: "ECONNREFUSED" });
    const answer = await httpProbe(appUrl(fresh));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ role: "frontend", pod: fresh.name, podIP: fresh.podIP });
  });

  test("close() ends the pod host's process and nothing answers at the apps' addresses", async () => {
    const pid = world.podHostPid;
    const pods = world.pods().filter((p) => p.component !== "probe");
    await world.close();
    expect(processExists(pid)).toBe(false);
    for (const pod of pods) expect(await httpProbe(appUrl(pod))).toEqual({ error: "ECONNREFUSED" });
  });
});

describe("a pod host that dies", () => {
  test("fails the world loudly: the next change and close() name the dead process, and nothing is left", async () => {
    const world = await buildWorld({}, { podHost: "child" });
    try {
      const pid = world.podHostPid;
      const frontend = world.pods("frontend")[0];
      const api = world.api.url;
      process.kill(pid, "SIGKILL");
      const death = new RegExp(`pod host \\(pid ${pid}\\) ended unexpectedly \\(SIGKILL\\)`);
      await expect(world.replacePod(world.pods("backend")[0].name)).rejects.toThrow(death);
      // The apps lived in that process: they are gone with it.
      expect(await httpProbe(appUrl(frontend))).toEqual({ error: "ECONNREFUSED" });
      await expect(world.close()).rejects.toThrow(death);
      expect(processExists(pid)).toBe(false);
      expect(await httpProbe(`${api}/version`)).toEqual({ error: "ECONNREFUSED" });
    } finally {
      // Only for a test that failed before its close(); a second close() does nothing.
      await world.close().catch(() => undefined);
    }
  });
});
