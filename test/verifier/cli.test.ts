/**
 * The built `svclab` entry point, spawned as a user runs it. It is compiled
 * once into a temporary directory (only bin/ and verifier/, the code it
 * imports), so the test does not depend on the rest of the tree building.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
let outDir: string;
let entry: string;

beforeAll(() => {
  outDir = mkdtempSync(path.join(tmpdir(), "svclab-cli-"));
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(
    process.execPath,
    [tsc, "--outDir", outDir, "--rootDir", ROOT, "--module", "commonjs", "--target", "ES2022", "--moduleResolution", "node", "--strict", "--esModuleInterop", "--skipLibCheck", "--types", "node", path.join(ROOT, "bin/svclab.ts")],
    { cwd: ROOT, stdio: "pipe" },
  );
  entry = path.join(outDir, "bin/svclab.js");
}, 120000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // NODE_PATH lets the compiled files outside the repo find the repo's node_modules.
  const result = spawnSync(process.execPath, [entry, ...args], {
    encoding: "utf8",
    timeout: 30000,
    env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules"), KUBECONFIG: path.join(outDir, "no-such-kubeconfig") },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

describe("svclab verify (CLI)", () => {
  test("--help states the exit codes and exits 0", () => {
    const { status, stdout } = run("verify", "--help");
    expect(status).toBe(0);
    expect(stdout).toContain("Exit codes:");
    expect(stdout).toMatch(/0 {2}every probe passed/);
    expect(stdout).toMatch(/1 {2}at least one probe failed/);
    expect(stdout).toMatch(/2 {2}the run could not be done/);
    expect(stdout).toContain("--format <format>");
  });

  test("--out into a missing folder exits 2 before discovering or probing anything", () => {
    const missing = path.join(outDir, "no-such-folder", "report.json");
    const { status, stdout, stderr } = run("verify", "--format", "json", "--out", missing);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(lines(stderr)).toEqual([
      `svclab verify: --out ${missing}: the folder ${path.dirname(missing)} does not exist: create it first (\`mkdir -p ${path.dirname(missing)}\`) or choose another path`,
    ]);
  });

  test("an unknown --format exits 2 with one line naming the flag, the value and the choices", () => {
    const { status, stderr } = run("verify", "--format", "xml");
    expect(status).toBe(2);
    expect(lines(stderr)).toEqual(["error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, junit, html."]);
  });

  test("an unknown --data-plane exits 2 with one line naming the flag, the value and the profiles", () => {
    const { status, stderr } = run("verify", "--data-plane", "calico");
    expect(status).toBe(2);
    expect(lines(stderr)).toEqual(["error: option '--data-plane <profile>' argument 'calico' is invalid. Allowed choices are iptables, nftables, ipvs, cilium, other."]);
  });

  test("a non-numeric --timeout exits 2 with one line naming the flag and the allowed range", () => {
    const { status, stderr } = run("verify", "--timeout", "abc");
    expect(status).toBe(2);
    expect(lines(stderr)).toEqual(["error: option '--timeout <ms>' argument 'abc' is invalid. An integer from 50 to 60000 is allowed."]);
  });

  test("--help states --api-proxy-max's default, 8 Services per node, and why", () => {
    const help = run("verify", "--help").stdout.replace(/\s+/g, " ");
    expect(help).toContain("--api-proxy-max <n|all>");
    expect(help).toContain(
      "most Services probed through the API server's service proxy per run, or all (default: 8 per node discovered, to bound the API server's load",
    );
  });

  test("an --api-proxy-max that is neither a positive integer nor all exits 2 with one line saying what is allowed", () => {
    for (const bad of ["0", "-3", "1.5", "ten", "ALL"]) {
      const { status, stderr } = run("verify", "--api-proxy-max", bad);
      expect([bad, status]).toEqual([bad, 2]);
      expect(lines(stderr)).toEqual([`error: option '--api-proxy-max <n|all>' argument '${bad}' is invalid. An integer from 1 up, or all (no bound), is allowed.`]);
    }
  });

  test("an out-of-range --concurrency and an invalid --only regex exit 2", () => {
    expect(run("verify", "--concurrency", "0")).toMatchObject({ status: 2, stderr: expect.stringContaining("'--concurrency <n>' argument '0' is invalid") });
    expect(run("verify", "--only", "(")).toMatchObject({ status: 2, stderr: expect.stringContaining("'--only <regex>' argument '(' is invalid") });
  });

  test("a kubeconfig pointing at a closed 127.0.0.1 port exits 2 with one line", async () => {
    const port = await closedPort();
    const kubeconfig = path.join(outDir, "closed.yaml");
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: c, cluster: { server: 'http://127.0.0.1:" + port + "' } }]",
        "users: [{ name: u, user: { token: t } }]",
        "contexts: [{ name: ctx, context: { cluster: c, user: u } }]",
        "current-context: ctx",
      ].join("\n"),
    );
    const { status, stdout, stderr } = run("verify", "--kubeconfig", kubeconfig);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(lines(stderr)).toEqual([`svclab verify: Kubernetes API: cannot list nodes: connection refused by http://127.0.0.1:${port}`]);
  });

  test("an unknown context exits 2 naming the contexts the kubeconfig has", () => {
    const kubeconfig = path.join(outDir, "closed.yaml");
    const { status, stderr } = run("verify", "--kubeconfig", kubeconfig, "--context", "nope");
    expect(status).toBe(2);
    expect(lines(stderr)).toEqual(["svclab verify: Kubernetes API: cannot use context nope: no such context; the kubeconfig has: ctx"]);
  });
});

/** A loopback port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("svclab report --from (CLI)", () => {
  const FIXTURES = path.join(ROOT, "test/fixtures/verify-reports");

  test("re-renders a saved run as the matrix, the detailed table and one HTML page", () => {
    const matrix = run("report", "--from", path.join(FIXTURES, "default-pass.json"));
    expect(matrix.status).toBe(0);
    expect(matrix.stdout).toMatch(/^Service\s+type\s+ports\s+pod IP\s+ClusterIP\s+DNS\s+cp\s+worker\s+worker2\s+LB\s+API proxy$/m);
    expect(matrix.stdout).toMatch(/^178 passed, 0 failed, 0 errors, 0 skipped/m);
    const details = run("report", "--from", path.join(FIXTURES, "default-pass.json"), "--details");
    expect(details.stdout).toContain("node-port:svclab-control-plane:http");
    const out = path.join(outDir, "page.html");
    const html = run("report", "--from", path.join(FIXTURES, "failures.json"), "--format", "html", "--out", out);
    expect(html).toMatchObject({ status: 0, stdout: `report written to ${out}\n` });
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>[\s\S]*141 passed, 5 failed, 32 errors, 0 skipped[\s\S]*<\/html>\n$/);
  });

  test("piped into a reader that stops early (| head), it ends with its own exit code and no EPIPE trace", () => {
    // 684 KB of JSON into a 64 KiB pipe whose reader leaves after 100 bytes: later writes meet a closed pipe.
    const fixture = path.join(FIXTURES, "five-nodes.json");
    const result = spawnSync("bash", ["-o", "pipefail", "-c", `"${process.execPath}" "${entry}" report --from "${fixture}" --format json | head -c 100 >/dev/null`], {
      encoding: "utf8",
      timeout: 30000,
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });

  test("a file that is not a report exits 2 with one line naming it and what is allowed", () => {
    const bad = path.join(outDir, "not-a-report.json");
    writeFileSync(bad, JSON.stringify({ probes: [] }));
    const { status, stderr } = run("report", "--from", bad);
    expect(status).toBe(2);
    expect(lines(stderr)).toEqual([`svclab report: cannot read report ${bad}: it has no cluster object; a file written by svclab verify --format json is allowed`]);
    expect(run("report", "--from", path.join(outDir, "missing.json"))).toMatchObject({ status: 2, stderr: expect.stringContaining("ENOENT") });
  });
});
