/**
 * Benchmark of the demo workload's `GET /` (ROLE=backend) next to a bare
 * Node `http` hello-world, both under the same autocannon load on loopback.
 * Prints req/s and p99 latency of each, the ratio (target ≥ 0.7) and the
 * workload's peak RSS under load (target < 60 MiB). It reports, it never fails
 * a build: exit code 0 unless a server cannot be started.
 *
 * Run: `npm run bench:app` (builds, then runs dist/bench/app-bench.js).
 * Each server runs in its own child process, so its RSS is its own and the
 * load generator (this process) is not counted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p99: number; readonly average: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
const autocannon = require("autocannon") as Autocannon;

const HOST = "127.0.0.1";
const CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 5;
const TARGET_RATIO = 0.7;
const TARGET_RSS_MIB = 60;
const STARTUP_TIMEOUT_MS = 10_000;

/** The compiled entry point of the workload, next to this file in dist/. */
const APP_ENTRY = path.resolve(__dirname, "../apps/src/main.js");

const HELLO_WORLD = `
const http = require("node:http");
const server = http.createServer((request, response) => response.end("hello"));
server.listen(0, "${HOST}", () => console.log(JSON.stringify({ event: "listening", port: server.address().port })));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

interface Measurement {
  readonly name: string;
  readonly result: AutocannonResult;
  readonly peakRssMiB: number | null;
}

/** Starts `node args` with `env`, resolves with the child and the port from its first "listening" log line. */
function startServer(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} did not start listening within ${STARTUP_TIMEOUT_MS} ms`));
    }, STARTUP_TIMEOUT_MS);
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n").find((candidate) => candidate.includes('"listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume();
      resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(" ")} exited with ${code} before listening`));
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Peak resident set size of a process (Linux `VmHWM`), or null where /proc is not available. */
function peakRssMiB(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

async function measure(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const { child, port } = await startServer(args, env);
  try {
    const url = `http://${HOST}:${port}/`;
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    const result = await autocannon({ url, connections: CONNECTIONS, duration: MEASURE_SECONDS });
    return { name, result, peakRssMiB: child.pid === undefined ? null : peakRssMiB(child.pid) };
  } finally {
    await stopServer(child);
  }
}

function format(value: number | null, digits: number): string {
  return value === null ? "n/a" : value.toFixed(digits);
}

/** Mean of a list of numbers; null for an empty list or when any is null. */
function mean(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((value) => value === null)) return null;
  return (values as number[]).reduce((sum, value) => sum + value, 0) / values.length;
}

function printRun({ name, result, peakRssMiB }: Measurement): void {
  console.log(
    `${name.padEnd(24)} ${format(result.requests.average, 0).padStart(7)} req/s  p99 ${format(result.latency.p99, 1).padStart(5)} ms` +
      `  peak RSS ${format(peakRssMiB, 1)} MiB  (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(APP_ENTRY)) {
    throw new Error(`${APP_ENTRY} does not exist; run this through "npm run bench:app", which builds first`);
  }
  console.log(
    `GET / on ${HOST}, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s measured per run, ` +
      `order bare, app, app, bare (so drift on a shared machine hits both alike)`,
  );
  const runBare = (): Promise<Measurement> => measure("bare node http", ["-e", HELLO_WORLD], {});
  const runApp = (): Promise<Measurement> =>
    measure("svclab demo (backend)", [APP_ENTRY], { ROLE: "backend", PORT: "0", HOST, POD_NAME: "bench" });
  const runs: Measurement[] = [];
  for (const run of [runBare, runApp, runApp, runBare]) {
    const measurement = await run();
    printRun(measurement);
    runs.push(measurement);
  }
  const bare = runs.filter((run) => run.name === "bare node http");
  const app = runs.filter((run) => run.name !== "bare node http");
  const bareRate = mean(bare.map((run) => run.result.requests.average)) ?? 0;
  const appRate = mean(app.map((run) => run.result.requests.average)) ?? 0;
  console.log(
    `mean: bare ${bareRate.toFixed(0)} req/s, p99 ${format(mean(bare.map((run) => run.result.latency.p99)), 1)} ms; ` +
      `app ${appRate.toFixed(0)} req/s, p99 ${format(mean(app.map((run) => run.result.latency.p99)), 1)} ms`,
  );
  const ratio = appRate / bareRate;
  console.log(`ratio app/bare req/s: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? "met" : "NOT met"})`);
  const appRss = app.map((run) => run.peakRssMiB);
  const rss = appRss.some((value) => value === null) ? null : Math.max(...(appRss as number[]));
  const bareRss = bare.map((run) => run.peakRssMiB);
  console.log(
    `app peak RSS under load: ${format(rss, 1)} MiB (bare: ${bareRss.map((value) => format(value, 1)).join(", ")} MiB; ` +
      `target < ${TARGET_RSS_MIB}: ${rss === null ? "not measurable here, no /proc" : rss < TARGET_RSS_MIB ? "met" : "NOT met"})`,
  );
}

main().catch((error: unknown) => {
  console.error(`app-bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
