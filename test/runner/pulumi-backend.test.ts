/**
 * The Automation API boundary against a fake `pulumi` executable: proves the
 * backend points Pulumi at the project's file backend with the lab's
 * passphrase, treats a missing stack as "no stack", and reads state and
 * outputs back. The real CLI is never needed, and installing one is turned
 * off so nothing is ever downloaded here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { CLI_DIR_NAME, PINNED_PULUMI_VERSION, PulumiCommandSource, createPulumiBackend, resolvePulumiCommand } from "../../runner/pulumi";
import { createFakeCli, FakeCli, FakeProgram } from "./fake-cli";

const RECORDED = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_SKIP_UPDATE_CHECK"];
const originalPath = process.env.PATH;
let projectDir: string;
let fake: FakeCli | undefined;

function usePulumi(program: FakeProgram, recordFiles: readonly string[] = []): FakeCli {
  fake = createFakeCli({ pulumi: program }, RECORDED, recordFiles);
  // The Automation API finds `pulumi` through this process's PATH.
  process.env.PATH = `${fake.binDir}${path.delimiter}${originalPath ?? ""}`;
  return fake;
}

beforeEach(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-project-"));
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: svclab\nruntime: nodejs\n");
});

/** Makes the file backend look used (it has held a stack), so the backend asks the CLI. */
function markBackendUsed(): void {
  fs.mkdirSync(path.join(projectDir, ".pulumi-state", ".pulumi", "stacks", "svclab"), { recursive: true });
}
afterEach(() => {
  process.env.PATH = originalPath;
  fake?.cleanup();
  fake = undefined;
  fs.rmSync(projectDir, { recursive: true, force: true });
});

const version = { stdout: "v3.248.0\n" };

describe("the Pulumi backend", () => {
  it("answers for a never-used backend without starting the CLI", async () => {
    const cli = usePulumi({ version });
    const backend = createPulumiBackend({ projectDir, env: {}, installCli: false });
    await expect(backend.snapshot()).resolves.toBeUndefined();
    await expect(backend.outputs()).resolves.toBeUndefined();
    await expect(backend.destroy(() => undefined)).resolves.toBeUndefined();
    expect(cli.calls()).toEqual([]);
  });

  it("uses the project's file backend and the lab passphrase, and reports a missing stack as none", async () => {
    const cli = usePulumi({ version, "stack select --stack dev --non-interactive": { stderr: "error: no stack named 'dev' found\n", code: 255 } });
    markBackendUsed();
    const backend = createPulumiBackend({ projectDir, env: {}, installCli: false });
    await expect(backend.snapshot()).resolves.toBeUndefined();
    expect(backend.backendUrl).toBe(`file://${projectDir}/.pulumi-state`);
    const select = cli.calls().indexOf("pulumi stack select --stack dev --non-interactive");
    expect(select).toBeGreaterThan(-1);
    expect(cli.callEnvs()[select]).toEqual({ PULUMI_BACKEND_URL: backend.backendUrl, PULUMI_CONFIG_PASSPHRASE: "svclab-lab", PULUMI_SKIP_UPDATE_CHECK: "true" });
  });

  it("reads the exported state of an existing stack", async () => {
    const deployment = {
      version: 3,
      deployment: {
        resources: [
          { urn: "urn:pulumi:ci::svclab::pulumi:pulumi:Stack::svclab-ci", type: "pulumi:pulumi:Stack" },
          { urn: "urn:pulumi:ci::svclab::command:local:Command::lab-kind", type: "command:local:Command", outputs: { environment: { SVCLAB_KIND_CLUSTER: "svclab-ci" } } },
        ],
      },
    };
    markBackendUsed();
    usePulumi({
      version,
      "stack select --stack ci --non-interactive": {},
      "stack export --show-secrets --stack ci --non-interactive": { stdout: JSON.stringify(deployment) },
    });
    const backend = createPulumiBackend({ projectDir, stackName: "ci", env: {}, installCli: false });
    await expect(backend.snapshot()).resolves.toMatchObject({ resourceCount: 1, clusterNames: ["svclab-ci"] });
  });

  it("returns outputs as plain values, secrets decrypted", async () => {
    markBackendUsed();
    usePulumi({
      version,
      "stack select --stack dev --non-interactive": {},
      "stack output --json --stack dev --non-interactive": { stdout: JSON.stringify({ namespace: "svclab", kubeconfig: "[secret]" }) },
      "stack output --json --show-secrets --stack dev --non-interactive": { stdout: JSON.stringify({ namespace: "svclab", kubeconfig: "apiVersion: v1" }) },
    });
    const backend = createPulumiBackend({ projectDir, env: {}, installCli: false });
    await expect(backend.outputs()).resolves.toEqual({ namespace: "svclab", kubeconfig: "apiVersion: v1" });
  });

  it("passes a user's own passphrase through instead of the lab's", async () => {
    markBackendUsed();
    const cli = usePulumi({ version, "stack select --stack dev --non-interactive": { stderr: "error: no stack named 'dev' found\n", code: 255 } });
    await createPulumiBackend({ projectDir, env: { PULUMI_CONFIG_PASSPHRASE: "mine" }, installCli: false }).snapshot();
    expect(cli.callEnvs().map((env) => env.PULUMI_CONFIG_PASSPHRASE)).toContain("mine");
  });

  it("says how to get the CLI when none is on PATH and installing is off", async () => {
    markBackendUsed();
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-no-pulumi-"));
    process.env.PATH = emptyDir;
    try {
      await expect(createPulumiBackend({ projectDir, env: {}, installCli: false }).snapshot()).rejects.toThrow(
        /^no usable pulumi CLI on PATH \(.*\): install Pulumi v\d+\.\d+\.\d+ or later, https:\/\/www\.pulumi\.com\/docs\/iac\/download-install\/$/,
      );
    } finally {
      fs.rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe("the tracked stack file", () => {
  it("holds the kept salt while the CLI runs and is back to its own bytes afterwards", async () => {
    const tracked = "# dev stack, commented\nconfig:\n  svclab:clusterName: svclab-ci # a comment Pulumi would drop\n";
    const stackFile = path.join(projectDir, "Pulumi.ci.yaml");
    fs.writeFileSync(stackFile, tracked);
    fs.mkdirSync(path.join(projectDir, ".pulumi-state", "svclab-owned"), { recursive: true });
    fs.writeFileSync(path.join(projectDir, ".pulumi-state", "svclab-owned", "encryptionsalt-ci"), "v1:kept:v1:salt:value\n");
    markBackendUsed();
    const cli = usePulumi(
      {
        version,
        "stack select --stack ci --non-interactive": {},
        "stack export --show-secrets --stack ci --non-interactive": { stdout: JSON.stringify({ version: 3, deployment: { resources: [] } }) },
      },
      [stackFile],
    );
    await createPulumiBackend({ projectDir, stackName: "ci", env: {}, installCli: false }).snapshot();
    const seen = cli.callFiles().map((files) => files[stackFile]);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([`${tracked}encryptionsalt: v1:kept:v1:salt:value\n`]));
    expect(fs.readFileSync(stackFile, "utf8")).toBe(tracked);
  });
});

describe("which Pulumi CLI the lab uses", () => {
  it("refuses a CLI on PATH older than the SDK, which the Automation API alone would accept", async () => {
    usePulumi({ version: { stdout: "v3.100.0\n" } });
    markBackendUsed();
    await expect(createPulumiBackend({ projectDir, env: {}, installCli: false }).snapshot()).rejects.toThrow(
      `the pulumi CLI on PATH is v3.100.0, older than the SDK's v${PINNED_PULUMI_VERSION}: install Pulumi v${PINNED_PULUMI_VERSION} or later, https://www.pulumi.com/docs/iac/download-install/`,
    );
  });

  function source(onPath: { version: string } | Error) {
    const installs: { root: string }[] = [];
    const installed = { command: "/x/.pulumi-cli/bin/pulumi", version: null } as unknown as PulumiCommand;
    const api: PulumiCommandSource = {
      get: async () => {
        if (onPath instanceof Error) throw onPath;
        return { command: "/usr/local/bin/pulumi", version: onPath.version } as unknown as PulumiCommand;
      },
      install: async (options) => {
        installs.push(options);
        return installed;
      },
    };
    return { api, installs, installed };
  }

  it("installs the pinned CLI instead of an older one on PATH, and says which it uses", async () => {
    const { api, installs, installed } = source({ version: "3.100.0" });
    const notes: string[] = [];
    await expect(resolvePulumiCommand(api, projectDir, true, (line) => notes.push(line))).resolves.toBe(installed);
    expect(installs).toEqual([{ root: path.join(projectDir, CLI_DIR_NAME) }]);
    expect(notes).toEqual([`the pulumi CLI on PATH is v3.100.0, older than the SDK's v${PINNED_PULUMI_VERSION}: using Pulumi v${PINNED_PULUMI_VERSION} in .pulumi-cli/ (installed on first use)`]);
  });

  it("uses a CLI on PATH at least as new as the SDK, and says so", async () => {
    const { api, installs } = source({ version: "9.0.1" });
    const notes: string[] = [];
    const chosen = await resolvePulumiCommand(api, projectDir, true, (line) => notes.push(line));
    expect(chosen.command).toBe("/usr/local/bin/pulumi");
    expect(installs).toEqual([]);
    expect(notes).toEqual(["using the pulumi CLI on PATH (v9.0.1, /usr/local/bin/pulumi)"]);
  });
});
