#!/usr/bin/env node
/**
 * The single svclab entry point. `buildProgram()` assembles the commands so
 * others can add theirs; exit code 2 for any usage error (CONTRACTS.md).
 */
import { Command, CommanderError } from "commander";
import { downCommand, labCommand } from "../runner/cli";
import { verifyCommand } from "../verifier/cli";
import { packageVersion } from "./package-version";
import { explainCommand } from "../verifier/explain/cli";
import { reportCommand } from "../verifier/report/command";

/** The `svclab` program with every subcommand; usage errors throw instead of exiting. */
export function buildProgram(): Command {
  const program = new Command("svclab")
    .description("Kubernetes Services as code: a kind lab with every Service type, and a verifier that proves who reaches what.")
    .version(packageVersion(), "-V, --version", "print the svclab version and exit")
    .addCommand(verifyCommand())
    .addCommand(reportCommand())
    .addCommand(labCommand())
    .addCommand(downCommand())
    .addCommand(explainCommand());
  for (const command of [program, ...program.commands]) command.exitOverride();
  return program;
}

/** Runs the program; help and --version exit 0, a usage error 2. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  }
}

/**
 * A reader that stops early (`svclab report … | head`) closes the pipe: what
 * is left to print has nobody to read it, which is not an error of svclab's,
 * so the command ends with its own exit code instead of an EPIPE stack trace.
 */
export function ignoreClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
  });
}

if (require.main === module) {
  ignoreClosedStdout();
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`svclab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
