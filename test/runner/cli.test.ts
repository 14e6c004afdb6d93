/**
 * The built entry point (`npm test` builds before jest runs), spawned as a
 * user runs it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const projectDir = path.resolve(__dirname, "..", "..");
const entry = path.join(projectDir, "dist", "bin", "svclab.js");

function svclab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  }
  return spawnSync(process.execPath, [entry, ...args], { cwd: projectDir, env, encoding: "utf8", timeout: 60_000 });
}

describe("svclab lab and down", () => {
  it("documents lab's flags and exit codes in --help", () => {
    const result = svclab(["lab", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--stack <name>");
    expect(result.stdout).toContain("--skip-verify");
    expect(result.stdout).toContain('passphrase "svclab-lab"');
    expect(result.stdout).toContain("2  preflight failed, pulumi up failed, or the verifier could not run");
  });

  it("documents down's safety and exit codes in --help", () => {
    const result = svclab(["down", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Safe to\nrun twice");
    expect(result.stdout).toContain("1  something is left (listed with the command that removes it)");
  });

  it("rejects an unknown report format with exit code 2", () => {
    const result = svclab(["lab", "--format", "yaml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Allowed choices are table, json, junit");
  });

  it("stops at preflight with exit code 2 and creates no state when docker and kind are missing", () => {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-no-tools-"));
    const stateDir = path.join(projectDir, ".pulumi-state");
    const stateExisted = fs.existsSync(stateDir);
    try {
      const result = svclab(["lab"], { ...process.env, PATH: emptyPath });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("✗ docker   docker is not installed (not on PATH)");
      expect(result.stderr).toContain("✗ kind     kind is not on PATH");
      expect(result.stderr).toContain("svclab lab: preflight failed: nothing was created");
      expect(result.stdout).toBe("");
      expect(fs.existsSync(stateDir)).toBe(stateExisted);
    } finally {
      fs.rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});

describe("svclab --version", () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { version: string };

  it.each(["--version", "-V"])("%s prints the package version and exits 0", (flag) => {
    const result = svclab([flag]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it("is listed in --help", () => {
    expect(svclab(["--help"]).stdout).toContain("-V, --version");
  });
});
