/**
 * V8 flags for the stand-in's process of a sized benchmark run, and only for it.
 *
 * The stand-in world (fake API, data plane, forwarders, probe agents) churns
 * through short-lived sockets and buffers; with V8's default young generation
 * it spends over a second of a 200 × 5 run in GC pauses. A larger semi-space
 * makes scavenges rarer (measured there: 1.1–1.4 s → 0.4–0.6 s of pauses;
 * docs/standin.md, "Benchmark").
 *
 * The verifier's process must not get these flags: its speed and peak RSS are
 * what the bench reports and what users get, and `fork` would copy them
 * (it passes `process.execArgv` on by default), so it is forked with
 * `execArgv: []` (verifier-bench-sized.ts). V8 reads the semi-space size only
 * when the heap is set up (`v8.setFlagsFromString` later has no effect on it),
 * so a process that lacks the flags runs the bench again in a child that has
 * them: one idle extra process instead of a bench whose numbers depend on how
 * `node` was invoked.
 */
import { spawn } from "node:child_process";

/** The stand-in's flags. */
export const STANDIN_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32"];

/** Whether this process already runs with each flag (a value the user gave for one counts: theirs stays). */
export function hasStandinFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return STANDIN_NODE_FLAGS.every((flag) => {
    const name = flag.split("=")[0];
    return execArgv.some((arg) => arg === name || arg.startsWith(`${name}=`));
  });
}

/**
 * Runs this script again, same arguments and node flags, plus {@link STANDIN_NODE_FLAGS};
 * resolves with its exit code. Its output goes straight to this process's stdout and stderr.
 */
export function rerunWithStandinFlags(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...STANDIN_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}
