/**
 * `lab` refuses a bad stack config before preflight, before any download and
 * before any state exists.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT_CANNOT_RUN, LabError } from "../../runner/errors";
import { clusterMarkers } from "../../runner/cluster-marker";
import { runLab } from "../../runner/lab";
import type { LabSettings } from "../../runner/lab-settings";
import { StackConfigError } from "../../stacks/stack-file";
import { FakeBackend, captureIo, fakeRunner } from "./fake-backend";

const settings: LabSettings = { clusterMode: "kind", clusterName: "svclab", hostPorts: [], configFile: "stacks/Pulumi.dev.yaml" };

it("a config the stack program would refuse stops the run before preflight and before Pulumi is asked anything", async () => {
  const backend = new FakeBackend();
  const { io, err } = captureIo();
  let preflights = 0;
  const run = runLab(
    { stackName: "dev" },
    {
      backend,
      settings,
      io,
      run: fakeRunner({}),
      markers: clusterMarkers(path.join(__dirname, "never-written")),
      preflight: async () => {
        preflights += 1;
        throw new Error("preflight must not run");
      },
      verify: async () => {
        throw new Error("verify must not run");
      },
      checkConfig: () => {
        throw new StackConfigError("stacks/Pulumi.dev.yaml: nodePort must be an integer in the NodePort range 30000-32767; got 3008");
      },
    },
  );
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LabError);
  expect((error as LabError).exitCode).toBe(EXIT_CANNOT_RUN);
  expect((error as LabError).message).toBe(
    "stacks/Pulumi.dev.yaml: nodePort must be an integer in the NodePort range 30000-32767; got 3008; nothing was downloaded or created",
  );
  expect(preflights).toBe(0);
  expect(backend.calls).toEqual([]);
  expect(err).toEqual([]);
});

it("svclab lab --stack with no stack file names the stacks that exist, exits 2 and leaves no state behind", () => {
  const projectDir = path.resolve(__dirname, "..", "..");
  const entry = path.join(projectDir, "dist", "bin", "svclab.js");
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  }
  const stateDir = path.join(projectDir, ".pulumi-state");
  const stateExisted = fs.existsSync(stateDir);
  // An empty PATH: were preflight to run, it would fail on docker and kind instead.
  const result = spawnSync(process.execPath, [entry, "lab", "--stack", "nosuch"], {
    cwd: projectDir,
    env: { ...process.env, PATH: "" },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(`svclab lab: there is no stack "nosuch": ${path.join("stacks", "Pulumi.nosuch.yaml")} does not exist; the stacks are ci, dev`);
  expect(result.stderr).not.toContain("Preflight");
  expect(result.stdout).toBe("");
  expect(fs.existsSync(stateDir)).toBe(stateExisted);
});
