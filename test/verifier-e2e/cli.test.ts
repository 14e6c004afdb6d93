/**
 * The built CLI (`node dist/bin/svclab.js verify`) against stand-in worlds:
 * exit codes and output a CI job relies on. Needs the build (`npm test` runs
 * `tsc` first; alone: `npx tsc -p tsconfig.json`).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { spawnCli, type CliRun } from "../support/spawn-cli";
import { buildWorld, type World } from "../support/standin";
import { FAST, SKIP_OUTSIDE_DNS } from "./verify-helpers";

const CLI = path.resolve(__dirname, "../../dist/bin/svclab.js");

function runCli(args: readonly string[], limitMs = 100000): Promise<CliRun> {
  return spawnCli(CLI, args, { limitMs });
}

function verifyArgs(world: World, ...extra: string[]): string[] {
  return [
    "verify", "--kubeconfig", world.kubeconfigPath, "--namespace", world.namespace,
    "--skip", SKIP_OUTSIDE_DNS.source, "--timeout", String(FAST.timeoutMs), "--deadline", String(FAST.deadlineMs), ...extra,
  ];
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: build first with \`npx tsc -p tsconfig.json\` (npm test does)`);
});

describe("svclab verify (built CLI) against the default stand-in lab", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test("--format json prints a report in which every probe passed, and exits 0", async () => {
    const run = await runCli(verifyArgs(world, "--format", "json"));
    expect(run.stderr).not.toMatch(/^(fail|error):/m);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.exitCode).toBe(0);
    expect(report.summary.fail).toBe(0);
    expect(report.summary.error).toBe(0);
    expect(report.probes.length).toBeGreaterThan(50);
    expect(report.probes.find((p: any) => p.id === "frontend-nodeport/node-port:svclab-control-plane:http/outside")).toMatchObject({ status: "pass", vantage: "outside" });
  });

  test("the table shows the Service's row in the matrix and a summary line with nothing failed; --details its targets", async () => {
    const run = await runCli(verifyArgs(world, "--only", "^frontend-nodeport/"));
    expect(run.code).toBe(0);
    // One row (the filter leaves one Service): pod IP, ClusterIP, DNS (outside DNS left out), three nodes, API proxy.
    const row = new RegExp(`^frontend-nodeport +NodePort +${world.servicePort}→3000 :30080 +–/✓ +–/✓ +·/✓ +✓/✓ +✓/✓ +✓/✓ +✓$`, "m");
    expect(run.stdout).toMatch(row);
    expect(run.stdout).not.toMatch(/^backend /m);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed, 0 errors, 0 skipped/m);
    const details = await runCli(verifyArgs(world, "--only", "^frontend-nodeport/", "--details"));
    expect(details.stdout).toContain("node-port:svclab-control-plane:http");
  });

  test("--api-proxy-max 2 probes two Services through the API server's proxy and lists the other six as skipped, exit 0", async () => {
    const run = await runCli(verifyArgs(world, "--only", "/api-proxy$", "--api-proxy-max", "2", "--format", "json"));
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.probes.filter((p: any) => p.status === "pass").map((p: any) => p.service)).toEqual(["backend", "backend-external"]);
    expect(report.summary).toMatchObject({ pass: 2, skipped: 6, fail: 0, error: 0 });
    expect(report.probes.find((p: any) => p.service === "frontend-lb").reason).toContain("(--api-proxy-max 2, default 8 per node, to bound the API server's load;");
  });
});

describe("svclab verify (built CLI) exit codes for broken worlds", () => {
  test("a ClusterIP answering from outside exits 1 and the JSON names clusterip-not-from-outside", async () => {
    const world = await buildWorld({ faults: { clusterIPAnswersFromOutside: ["backend"] } });
    try {
      const run = await runCli(verifyArgs(world, "--format", "json", "--only", "^backend/"));
      expect(run.code).toBe(1);
      const failed = JSON.parse(run.stdout).probes.filter((p: any) => p.status === "fail");
      expect(failed.map((p: any) => [p.id, p.rule.id])).toEqual([[`backend/cluster-ip:${world.servicePort}/outside`, "clusterip-not-from-outside"]]);
    } finally {
      await world.close();
    }
  });

  test("an API server answering 403 Forbidden exits 2 with one line on stderr", async () => {
    const world = await buildWorld();
    try {
      world.api.failWith(403);
      const run = await runCli(verifyArgs(world, "--format", "json"));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^svclab verify: .*403 .*forbidden/m);
    } finally {
      await world.close();
    }
  });

  test("an API server answering 500 exits 2", async () => {
    const world = await buildWorld();
    try {
      world.api.failWith(500);
      const run = await runCli(verifyArgs(world, "--format", "json"));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^svclab verify: /m);
    } finally {
      await world.close();
    }
  });

  test("an unreachable API server exits 2 with one line on stderr", async () => {
    const world = await buildWorld();
    try {
      await world.api.stop();
      const run = await runCli(verifyArgs(world, "--format", "json"));
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n").filter((l) => l.startsWith("svclab verify:"))).toHaveLength(1);
    } finally {
      await world.close();
    }
  });

  test("a missing probe agent (no failure, an error) exits 2", async () => {
    const world = await buildWorld({ faults: { missingProbeAgents: ["svclab-worker"] } });
    try {
      const run = await runCli(verifyArgs(world, "--format", "json", "--only", "^(probe|backend)/"));
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout);
      expect(report.probes.find((p: any) => p.id === "probe/agent:svclab-worker/api")).toMatchObject({ status: "error", rule: { id: "probe-agent-per-node" } });
      expect(report.summary.fail).toBe(0);
    } finally {
      await world.close();
    }
  });
});
