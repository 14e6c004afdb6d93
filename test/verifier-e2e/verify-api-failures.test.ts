/**
 * verify() when the Kubernetes API cannot be used: it must refuse to report
 * anything (a KubeApiError, which the CLI turns into exit code 2), never a pass.
 */
import { KubeApiError } from "../../verifier";
import { buildWorld, type World } from "../support/standin";
import { verifyWorld } from "./verify-helpers";

describe("verify() with an unusable API server", () => {
  let world: World;
  beforeEach(async () => {
    world = await buildWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  test("403 Forbidden is a KubeApiError that quotes the API's reason", async () => {
    world.api.failWith(403);
    const run = verifyWorld(world);
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(/forbidden/);
  });

  test("500 InternalError is a KubeApiError", async () => {
    world.api.failWith(500);
    await expect(verifyWorld(world)).rejects.toBeInstanceOf(KubeApiError);
  });

  test("an API server that stopped listening is a KubeApiError", async () => {
    await world.api.stop();
    await expect(verifyWorld(world)).rejects.toBeInstanceOf(KubeApiError);
  });

  test("an API server that dies mid-run ends the run at once with one KubeApiError, not a row of errors per probe", async () => {
    let stopping: Promise<void> | undefined;
    const run = verifyWorld(world, {
      deadlineMs: 600000,
      onProgress: (event) => {
        if (event.kind === "probed" && stopping === undefined) stopping = world.api.stop();
      },
    });
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(/^Kubernetes API: cannot .*is gone \(/);
    await stopping;
  });

  test("403 Forbidden on the proxies mid-run ends the run with that status, never a pass", async () => {
    let denied = false;
    const run = verifyWorld(world, {
      deadlineMs: 600000,
      onProgress: (event) => {
        if (event.kind === "planned" && !denied) {
          denied = true;
          world.api.failWith(403);
        }
      },
    });
    await expect(run).rejects.toThrow(/^Kubernetes API: cannot .*proxy.*: HTTP 403 /);
  });
});
