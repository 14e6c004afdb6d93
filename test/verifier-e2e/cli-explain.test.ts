/**
 * `svclab verify --explain` as a user runs it: the built CLI against the
 * loopback stand-in lab, with a fake `docker` on PATH that answers
 * `docker exec <node> iptables-save` with that node's rules from the real
 * v1.24 capture (same node and Service names as the stand-in). The rules are
 * read once per node; the explanations land in the JSON and on the HTML page,
 * `svclab report` re-renders them; nodes that cannot be read are recorded
 * with the reason and change neither verdicts nor the exit code. Needs the
 * build (`npx tsc -p tsconfig.json`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createFakeCli, type FakeCli, type FakeProgram } from "../runner/fake-cli";
import { spawnCli, type CliRun } from "../support/spawn-cli";
import { buildWorld, type World } from "../support/standin";
import { rulesFile } from "../verifier/explain/capture";
import { FAST, SKIP_OUTSIDE_DNS } from "./verify-helpers";

const CLI = path.resolve(__dirname, "../../dist/bin/svclab.js");
const NODES = ["svclab-control-plane", "svclab-worker", "svclab-worker2"];
/** Two Services keep the runs short; every discovered Service is explained all the same. */
const ONLY = "^frontend-(sticky|local)/";
const NO_DAEMON = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

/** Runs the built CLI with `PATH` set to `binDir` alone, so only the fake `docker` (or none) is found. */
function runCli(args: readonly string[], binDir: string, limitMs = 150000): Promise<CliRun> {
  return spawnCli(CLI, args, { env: { PATH: binDir }, limitMs });
}

/** A docker serving each node's captured rules, except `failing` nodes, which get `failure`. */
function docker(failing: readonly string[] = [], failure = NO_DAEMON): FakeProgram {
  return Object.fromEntries(
    NODES.map((node) => [`exec ${node} iptables-save`, failing.includes(node) ? { stderr: `${failure}\n`, code: 1 } : { stdout: readFileSync(rulesFile(node), "utf8") }]),
  );
}

jest.setTimeout(300000);

describe("svclab verify --explain (built CLI, stand-in lab, fake docker serving the real capture's rules)", () => {
  let world: World;
  let scratch: string;
  const fakes: FakeCli[] = [];
  const fake = (programs: Parameters<typeof createFakeCli>[0]): FakeCli => {
    const cli = createFakeCli(programs);
    fakes.push(cli);
    return cli;
  };
  const verifyArgs = (...extra: string[]): string[] => [
    "verify", "--kubeconfig", world.kubeconfigPath, "--namespace", world.namespace, "--skip", SKIP_OUTSIDE_DNS.source,
    "--timeout", String(FAST.timeoutMs), "--deadline", String(FAST.deadlineMs), "--only", ONLY, ...extra,
  ];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: build first with \`npx tsc -p tsconfig.json\` (npm test does)`);
    world = await buildWorld();
    scratch = mkdtempSync(path.join(tmpdir(), "svclab-verify-explain-"));
  });
  afterAll(async () => {
    await world?.close();
    for (const cli of fakes) cli.cleanup();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  test("--help documents --explain", async () => {
    const run = await runCli(["verify", "--help"], fake({}).binDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--explain");
    expect(run.stdout).toContain("docker exec <node> iptables-save");
  });

  test("reads each node's rules once, records every Service's explanation in the JSON, and svclab report shows them on the page", async () => {
    const cli = fake({ docker: docker() });
    const file = path.join(scratch, "explained.json");
    const run = await runCli(verifyArgs("--explain", "--format", "json", "--out", file), cli.binDir);
    expect(run.stderr).not.toMatch(/^(fail|error):/m);
    expect(run.code).toBe(0);
    expect(cli.calls().sort()).toEqual(NODES.map((node) => `docker exec ${node} iptables-save`));
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.exitCode).toBe(0);
    expect(report.explanations.nodes).toEqual(NODES.map((node) => ({ node, family: "IPv4", origin: `docker exec ${node} iptables-save`, mode: "iptables" })));
    const services = report.cluster.services.map((s: { service: { name: string } }) => s.service.name);
    expect(services).toHaveLength(8);
    expect(report.explanations.services.map((s: { service: string; node: string }) => `${s.service} ${s.node}`)).toEqual(services.flatMap((s: string) => NODES.map((n) => `${s} ${n}`)));
    const sticky = report.explanations.services.find((s: { service: string; node: string }) => s.service === "frontend-sticky" && s.node === "svclab-worker");
    expect(sticky.text).toContain("session affinity: a client (by source address) that connected within the last 10800 s (3 h)");
    expect(sticky.text).toContain("names: this run's discovery");
    expect(report.notes.filter((n: string) => n.startsWith("--explain"))).toEqual([]);

    const page = await runCli(["report", "--from", file, "--format", "html"], cli.binDir);
    expect(page.code).toBe(0);
    expect(page.stdout).toContain('<details class="explain-node" id="explain/frontend-sticky/svclab-worker" data-explained="yes">');
    expect(page.stdout).toContain("session affinity: a client (by source address)");
    expect(page.stdout).toMatch(/<a href="#explain\/frontend-local\/svclab-control-plane"><path class="path"[^>]*data-probe="frontend-local\/node-port:svclab-control-plane:http\/outside"/);
  });

  test("a node docker cannot reach is recorded with the reason on the page and in the notes; verdicts and exit code stay those of a run without --explain", async () => {
    const cli = fake({ docker: docker(["svclab-worker2"]) });
    const html = path.join(scratch, "partial.html");
    const explained = await runCli(verifyArgs("--explain", "--format", "html", "--out", html), cli.binDir);
    expect(explained.code).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toContain(`<li>svclab-worker2: <span class="v-error">rules not read</span>: cannot read the rules of node svclab-worker2: \`docker exec svclab-worker2 iptables-save\`: ${NO_DAEMON}`);
    expect(page).toContain("<code>svclab explain frontend-sticky --namespace svclab --node svclab-worker2</code>");
    expect(page).toContain('id="explain/frontend-sticky/svclab-worker" data-explained="yes"');
    expect(page).toContain("<li>--explain: the rules of 1 of 3 nodes were not read (svclab-worker2)");

    const json = path.join(scratch, "plain.json");
    const plain = await runCli(verifyArgs("--format", "json", "--out", json), cli.binDir);
    expect(plain.code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.explanations).toBeUndefined();
    expect(report.notes.filter((n: string) => n.startsWith("--explain"))).toEqual([]);
    // Without --explain docker is never asked: the calls are those of the --explain run alone.
    expect(cli.calls().sort()).toEqual(NODES.map((node) => `docker exec ${node} iptables-save`));
  });

  test("with no docker on PATH the matrix's notes say so, stderr says where explanations go, and the run still passes", async () => {
    const run = await runCli(verifyArgs("--explain"), fake({}).binDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed, 0 errors, 0 skipped/m);
    const note = run.stdout.replace(/\n {6}/g, " ");
    expect(note).toContain("note: --explain: the rules of 3 of 3 nodes were not read (svclab-control-plane, svclab-worker, svclab-worker2): cannot read the rules of node svclab-control-plane: `docker exec svclab-control-plane iptables-save`: docker is not on PATH");
    expect(run.stderr).toContain("explanations: rules read on 0 of 3 nodes, 0 Service×node explanations recorded; --format html embeds them");
  });
});
