/**
 * Flags of `npm run bench:verifier`. Without `--services`/`--nodes` it runs
 * the concurrent-vs-sequential comparison on the lab; with either, one run of
 * a stand-in of that size. Bad values are refused naming what is allowed.
 */
import { Command, InvalidArgumentError, Option, type OutputConfiguration } from "commander";
import { STANDIN_LIMITS } from "../test/support/standin/spec";
import type { ApiProxyMax } from "../verifier/api-proxy-budget";
import { apiProxyMax } from "../verifier/cli";
import { LIMITS } from "../verifier/options";

/** The per-attempt timeout of the comparison when none is given (ms). */
export const COMPARE_TIMEOUT_MS = 1000;
/** The lab's size, for the one of `--services`/`--nodes` not given. */
const LAB = { services: 8, nodes: 3 } as const;

/** What to run. */
export type BenchArgs =
  | { readonly mode: "compare"; readonly timeoutMs: number }
  | { readonly mode: "sized"; readonly services: number; readonly nodes: number; readonly timeoutMs: number; readonly concurrency: number; readonly apiProxyMax?: ApiProxyMax; readonly saveReport?: string };

function integerIn(min: number, max: number, why = ""): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`An integer from ${min} to ${max} is allowed${why}.`);
    return n;
  };
}

/** The command; `exitOverride` makes commander throw instead of exiting (for tests). */
export function benchCommand(): Command {
  return new Command("bench:verifier")
    .description("Benchmark of the verifier against the loopback stand-in cluster; prints numbers, never fails a build.")
    .addOption(new Option("--services <n>", `Services in the stand-in (a sized run; the lab's catalog repeated)`).argParser(integerIn(1, STANDIN_LIMITS.services, " (the stand-in's limit)")))
    .addOption(new Option("--nodes <m>", `nodes in the stand-in, control plane included (a sized run)`).argParser(integerIn(1, STANDIN_LIMITS.nodes, " (the stand-in's limit)")))
    .addOption(new Option("--timeout <ms>", `per-attempt timeout in ms (default ${LIMITS.timeoutMs.default} for a sized run, as the verifier's; ${COMPARE_TIMEOUT_MS} for the comparison)`).argParser(integerIn(LIMITS.timeoutMs.min, LIMITS.timeoutMs.max)))
    .addOption(new Option("--concurrency <n>", "the verifier's concurrency in a sized run").default(LIMITS.concurrency.default).argParser(integerIn(LIMITS.concurrency.min, LIMITS.concurrency.max)))
    .addOption(new Option("--api-proxy-max <n|all>", `the verifier's --api-proxy-max in a sized run (default: its own, ${LIMITS.apiProxyMax.defaultPerNode} Services per node); all probes every Service through the API server's proxy`).argParser(apiProxyMax))
    .addOption(new Option("--save-report <file>", "write the sized run's JSON report there (e.g. to profile the renderers with svclab report --from)"))
    .allowExcessArguments(false)
    .exitOverride();
}

/**
 * Parses user arguments (without `node` and the script).
 * @param output where commander writes help and errors (default stdout/stderr)
 * @throws CommanderError naming the bad value and what is allowed (and after `--help`)
 */
export function parseBenchArgs(args: readonly string[], output?: OutputConfiguration): BenchArgs {
  const command = benchCommand();
  if (output !== undefined) command.configureOutput(output);
  command.parse([...args], { from: "user" });
  const flags = command.opts<{ services?: number; nodes?: number; timeout?: number; concurrency: number; apiProxyMax?: ApiProxyMax; saveReport?: string }>();
  if (flags.services === undefined && flags.nodes === undefined) {
    return { mode: "compare", timeoutMs: flags.timeout ?? COMPARE_TIMEOUT_MS };
  }
  return {
    mode: "sized",
    services: flags.services ?? LAB.services,
    nodes: flags.nodes ?? LAB.nodes,
    timeoutMs: flags.timeout ?? LIMITS.timeoutMs.default,
    concurrency: flags.concurrency,
    ...(flags.apiProxyMax !== undefined ? { apiProxyMax: flags.apiProxyMax } : {}),
    ...(flags.saveReport !== undefined ? { saveReport: flags.saveReport } : {}),
  };
}
