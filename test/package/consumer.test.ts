/**
 * A consumer's view of the package: `npm pack` (which runs `prepare`, the
 * published build), the tarball installed into a temporary project the way
 * npm installs one (its `package/` as node_modules/svclab), and
 * examples/typescript-edge-services run there: it imports `svclab` and
 * `svclab/verifier` by name, type-checks against the shipped declarations and
 * registers its resources under Pulumi's mocks.
 *
 * The installed verifier (library and bin) then proves a loopback stand-in
 * cluster shaped like what the example deploys (docs/standin.md).
 *
 * No network: the project's other dependencies are this checkout's
 * node_modules, linked one by one (so there is one @pulumi/pulumi, as after a
 * real install). Slow (a build and two TypeScript runs) but never timed:
 * generous timeouts only.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { buildWorld, type World } from "../support/standin";
import { FAST, SKIP_OUTSIDE_DNS } from "../verifier-e2e/verify-helpers";
import type { MockedRun } from "./mocked-program";

jest.setTimeout(15 * 60_000);

const run = promisify(execFile);
const repo = path.resolve(__dirname, "..", "..");
const example = path.join(repo, "examples", "typescript-edge-services");
const EXAMPLE_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "verify.ts"];
/** Enough for a build on a machine running many other jobs. */
const CHILD_TIMEOUT_MS = 10 * 60_000;
const MAX_BUFFER = 64 * 1024 * 1024;

let scratch: string;
let project: string;
let packed: { filename: string; files: { path: string }[] };

async function inProject(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [file, ...args], { cwd: project, env: { ...process.env, ...env }, timeout: CHILD_TIMEOUT_MS, maxBuffer: MAX_BUFFER });
}

/** The failure of a child process, with what it printed. */
async function exitOf(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await inProject(file, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(tmpdir(), "svclab-consumer-"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", scratch], {
    cwd: repo,
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: MAX_BUFFER,
    env: { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
  // Lifecycle scripts may print before the JSON array.
  [packed] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as (typeof packed)[];

  project = path.join(scratch, "project");
  const modules = path.join(project, "node_modules");
  const installed = path.join(modules, "svclab");
  fs.mkdirSync(installed, { recursive: true });
  await run("tar", ["-xzf", path.join(scratch, packed.filename), "-C", installed, "--strip-components=1"], { timeout: CHILD_TIMEOUT_MS });
  for (const entry of fs.readdirSync(path.join(repo, "node_modules"))) {
    if (entry.startsWith(".") || entry === "svclab") continue;
    fs.symlinkSync(path.join(repo, "node_modules", entry), path.join(modules, entry), "dir");
  }
  for (const file of EXAMPLE_FILES) fs.copyFileSync(path.join(example, file), path.join(project, file));
});

afterAll(() => {
  if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("npm pack", () => {
  const paths = () => packed.files.map((f) => f.path).sort();

  test("ships the built entry, the verifier subpath, the CLI and the demo app's Docker build context", () => {
    for (const file of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "lib/index.js",
      "lib/index.d.ts",
      "lib/components/service-catalog.js",
      "lib/components/service-catalog.d.ts",
      "lib/verifier/index.js",
      "lib/verifier/index.d.ts",
      "lib/bin/svclab.js",
      "apps/Dockerfile",
      "apps/package.json",
      "apps/package-lock.json",
      "apps/tsconfig.json",
      "apps/src/main.ts",
    ]) {
      expect([file, paths().includes(file)]).toEqual([file, true]);
    }
  });

  test("ships no tests, fixtures, test support, benchmarks, examples or stack program", () => {
    const unwanted = paths().filter(
      (file) =>
        /(^|\/)(test|tests|__tests__|fixtures|support|bench|examples|stacks\/index|stacks\/lab)(\/|\.|$)/.test(file) ||
        /\.(test|spec)\.[jt]s$/.test(file) ||
        file.endsWith(".map"),
    );
    expect(unwanted).toEqual([]);
  });

  test("ships only lib/, the demo app's sources and the package's own documents", () => {
    const elsewhere = paths().filter((file) => !/^(lib\/|apps\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(file));
    expect(elsewhere).toEqual([]);
    // TypeScript sources only where Docker builds them; everything under lib/ is JavaScript and declarations.
    expect(paths().filter((file) => file.startsWith("lib/") && !/\.(js|d\.ts)$/.test(file))).toEqual([]);
  });
});

describe("the installed package in a project of its own", () => {
  test("require(\"svclab\") gives the components and require(\"svclab/verifier\") the verifier, from the shipped JavaScript", async () => {
    const script = [
      'const svclab = require("svclab");',
      'const verifier = require("svclab/verifier");',
      'console.log(JSON.stringify({ entry: require.resolve("svclab"), verifierEntry: require.resolve("svclab/verifier"),',
      "  components: ['KindCluster', 'LoadBalancerSupport', 'DemoImage', 'ExistingCluster', 'LabNamespace', 'DemoApp', 'ServiceCatalog', 'ProbeAgents'].filter((c) => typeof svclab[c] === 'function'),",
      "  verify: typeof verifier.verify, verifierOnEntry: 'verify' in svclab }));",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: project, timeout: CHILD_TIMEOUT_MS });
    const loaded = JSON.parse(stdout) as Record<string, unknown>;
    expect(loaded).toEqual({
      entry: path.join(project, "node_modules", "svclab", "lib", "index.js"),
      verifierEntry: path.join(project, "node_modules", "svclab", "lib", "verifier", "index.js"),
      components: ["KindCluster", "LoadBalancerSupport", "DemoImage", "ExistingCluster", "LabNamespace", "DemoApp", "ServiceCatalog", "ProbeAgents"],
      verify: "function",
      verifierOnEntry: false,
    });
  });

  test("the example type-checks against the shipped declarations (svclab/verifier under moduleResolution node too)", async () => {
    const { stdout } = await inProject(path.join("node_modules", "typescript", "bin", "tsc"), ["-p", "tsconfig.json", "--noEmit"]);
    expect(stdout).toBe("");
  });

  test("and under moduleResolution node16, where TypeScript reads package.json exports and their types", async () => {
    const config = { extends: "./tsconfig.json", compilerOptions: { module: "node16", moduleResolution: "node16" } };
    fs.writeFileSync(path.join(project, "tsconfig.node16.json"), JSON.stringify(config));
    const { stdout } = await inProject(path.join("node_modules", "typescript", "bin", "tsc"), ["-p", "tsconfig.node16.json", "--noEmit", "--traceResolution"]);
    const resolved = (name: string) => {
      const file = new RegExp(`Module name '${name}' was successfully resolved to '([^']+)'`).exec(stdout)?.[1];
      return file === undefined ? undefined : fs.realpathSync(file);
    };
    const shipped = fs.realpathSync(path.join(project, "node_modules", "svclab", "lib"));
    expect(resolved("svclab")).toBe(path.join(shipped, "index.d.ts"));
    expect(resolved("svclab/verifier")).toBe(path.join(shipped, "verifier", "index.d.ts"));
    expect(stdout.split("\n").filter((line) => /error TS\d+/.test(line))).toEqual([]);
  });

  test("the example registers a 3-worker kind cluster whose frontend is exposed only by a NodePort and a LoadBalancer Service", async () => {
    const out = path.join(scratch, "registered.json");
    const projectName = (parse(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    await inProject(
      path.join("node_modules", "ts-node", "dist", "bin.js"),
      ["--project", "tsconfig.json", "--transpile-only", path.join(__dirname, "mocked-program.ts"), "index.ts", out, projectName],
    );
    const { resources, outputs } = JSON.parse(fs.readFileSync(out, "utf8")) as MockedRun;
    const byType = (type: string) => resources.filter((r) => r.type === type);

    expect(resources.filter((r) => r.type.startsWith("svclab:")).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "svclab:index:DemoApp edge-app",
      "svclab:index:DemoImage edge-image",
      "svclab:index:KindCluster edge-cluster",
      "svclab:index:LabNamespace edge-namespace",
      "svclab:index:LoadBalancerSupport edge-lb",
      "svclab:index:ProbeAgents edge-probes",
      "svclab:index:ServiceCatalog edge-services",
    ]);

    const kind = resources.find((r) => r.type === "command:local:Command" && String(r.inputs.create).includes("kind create cluster"));
    const kindConfig = parse(String(kind?.inputs.stdin)) as { nodes: { role: string; extraPortMappings?: { containerPort: number; listenAddress: string }[] }[] };
    expect(kindConfig.nodes.map((n) => n.role)).toEqual(["control-plane", "worker", "worker", "worker"]);
    expect(kind?.inputs.environment).toEqual({ SVCLAB_KIND_CLUSTER: "svclab-edge" });

    const services = byType("kubernetes:core/v1:Service").map((s) => {
      const spec = s.inputs.spec as { type?: string; ports: { port: number; targetPort: unknown; nodePort?: number }[] };
      return { name: (s.inputs.metadata as { name: string }).name, type: spec.type ?? "ClusterIP", ports: spec.ports.map((p) => p.nodePort ?? null) };
    });
    expect(services.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "backend", type: "ClusterIP", ports: [null] },
      { name: "frontend-lb", type: "LoadBalancer", ports: [null] },
      { name: "frontend-nodeport", type: "NodePort", ports: [30090] },
    ]);
    expect(byType("kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { name: string }).name)).toEqual(["edge"]);
    expect(byType("kubernetes:apps/v1:DaemonSet")).toHaveLength(1);

    // The demo image builds from the apps/ shipped in the package: the program never names a path.
    const build = byType("docker:index/image:Image")[0]?.inputs.build as { context: string };
    expect(fs.realpathSync(build.context)).toBe(fs.realpathSync(path.join(project, "node_modules", "svclab", "apps")));

    // Everything inside the cluster goes through the cluster's provider, never the ambient kubectl context.
    const inCluster = resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");
    expect(inCluster.length).toBeGreaterThan(0);
    expect(inCluster.filter((r) => !String(r.provider).includes("pulumi:providers:kubernetes::edge-cluster-provider"))).toEqual([]);

    expect(outputs.kubeContext).toBe("kind-svclab-edge");
    expect(outputs.namespace).toBe("edge");
    expect(Object.keys(outputs.services as object).sort()).toEqual(["backend", "frontend-lb", "frontend-nodeport"]);
  });

  test("the svclab bin runs from the package: --version is the package's, lab refuses the consumer's Pulumi project", async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, "node_modules", "svclab", "package.json"), "utf8")) as { version: string; bin: { svclab: string } };
    const bin = path.join("node_modules", "svclab", manifest.bin.svclab);
    expect((await inProject(bin, ["--version"])).stdout.trim()).toBe(manifest.version);
    const lab = await exitOf(bin, ["lab"]);
    expect(lab.code).toBe(2);
    expect(lab.stderr).toContain("run the lab from a checkout of the svclab repository (the npm package has no stack program)");
  });
});

describe("the installed verifier against a stand-in cluster shaped like the example", () => {
  let world: World;
  beforeAll(async () => {
    // What the example deploys: 3 workers, frontend × 3, backend × 1, backend ClusterIP, frontend NodePort 30090 and LoadBalancer.
    world = await buildWorld({
      namespace: "edge",
      contextName: "kind-svclab-edge",
      nodes: [
        { name: "svclab-edge-control-plane", role: "control-plane" },
        { name: "svclab-edge-worker", role: "worker" },
        { name: "svclab-edge-worker2", role: "worker" },
        { name: "svclab-edge-worker3", role: "worker" },
      ],
      workloads: [
        { component: "frontend", replicas: 3 },
        { component: "backend", replicas: 1 },
      ],
      services: [
        { name: "backend", kind: "ClusterIP", over: "backend" },
        { name: "frontend-nodeport", kind: "NodePort", over: "frontend", nodePort: 30090 },
        { name: "frontend-lb", kind: "LoadBalancer", over: "frontend" },
      ],
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  test("svclab/verifier, required by name, proves every probe of the example's Services", async () => {
    // The outside DNS probe would ask this machine's resolver: tests send traffic to loopback only.
    const script = [
      'const { verify } = require("svclab/verifier");',
      "const [kubeconfig, skip, timeoutMs, deadlineMs] = process.argv.slice(1);",
      'verify({ kubeconfig, namespace: "edge", skip: new RegExp(skip), timeoutMs: Number(timeoutMs), deadlineMs: Number(deadlineMs) })',
      "  .then((r) => console.log(JSON.stringify({ exitCode: r.exitCode, summary: r.summary, services: [...new Set(r.probes.map((p) => p.service))].sort(), failed: r.probes.filter((p) => p.status !== 'pass' && p.status !== 'skipped').map((p) => `${p.id}: ${p.reason}`) })));",
    ].join("\n");
    const { stdout } = await run(
      process.execPath,
      ["-e", script, world.kubeconfigPath, SKIP_OUTSIDE_DNS.source, String(FAST.timeoutMs), String(FAST.deadlineMs)],
      { cwd: project, timeout: CHILD_TIMEOUT_MS, maxBuffer: MAX_BUFFER, env: { ...process.env, KUBECONFIG: "" } },
    );
    const report = JSON.parse(stdout) as { exitCode: number; summary: { pass: number; fail: number; error: number }; services: string[]; failed: string[] };
    expect(report.failed).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary.pass).toBeGreaterThan(20);
    expect(report.services).toEqual(expect.arrayContaining(["backend", "frontend-lb", "frontend-nodeport"]));
  });

  test("the installed bin's verify, as the example's README runs it, exits 0 with every probe passed", async () => {
    const bin = path.join("node_modules", "svclab", "lib", "bin", "svclab.js");
    const result = await exitOf(bin, [
      "verify", "--kubeconfig", world.kubeconfigPath, "--context", "kind-svclab-edge", "--namespace", "edge",
      "--skip", SKIP_OUTSIDE_DNS.source, "--timeout", String(FAST.timeoutMs), "--deadline", String(FAST.deadlineMs), "--format", "json",
    ]);
    expect([result.code, result.stderr.split("\n").filter((line) => /^(fail|error):/.test(line))]).toEqual([0, []]);
    const report = JSON.parse(result.stdout) as { summary: { fail: number; error: number }; cluster: { namespace: string; context: string } };
    expect(report.summary).toMatchObject({ fail: 0, error: 0 });
    expect(report.cluster).toMatchObject({ namespace: "edge", context: "kind-svclab-edge" });
  });
});
