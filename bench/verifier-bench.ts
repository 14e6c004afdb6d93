/**
 * `npm run bench:verifier [-- --services N --nodes M] [--timeout ms] [--concurrency n]`:
 * the verifier against the loopback stand-in cluster. Without a size, the
 * concurrent-vs-sequential comparison on the lab (verifier-bench-compare.ts);
 * with one, a run of a stand-in that size ending in one line a script reads
 * (verifier-bench-sized.ts). It reports; it never fails a build, but exits 1
 * when a probe of the faithful world did not pass (the numbers then measure
 * a broken run) and 2 on bad flags.
 *
 * Nothing leaves loopback: it runs inside a network namespace that has only
 * `lo` (see README, "Performance").
 */
import { CommanderError } from "commander";
import { parseBenchArgs, type BenchArgs } from "./verifier-bench-args";
import { runComparison } from "./verifier-bench-compare";
import { runSized } from "./verifier-bench-sized";

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    // Commander has printed the help or the error (naming the value and what is allowed).
    if (error instanceof CommanderError) {
      process.exitCode = error.code === "commander.helpDisplayed" ? 0 : 2;
      return;
    }
    throw error;
  }
  if (args.mode === "compare") {
    await runComparison(args.timeoutMs);
    return;
  }
  process.exitCode = await runSized(args);
}

main().catch((error: unknown) => {
  process.stderr.write(`verifier-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
