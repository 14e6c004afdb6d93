/**
 * Runs a Pulumi program under svclab's Pulumi mocks in a process of its own
 * and writes what it registered as JSON: the consumer test runs the example
 * this way from a temporary project, where the example imports the installed
 * package by name. Usage (cwd = the program's project):
 *
 *   node -r ts-node/register mocked-program.ts <program.ts> <out.json> <project>
 *
 * The mocks come first, so the program's `@pulumi/pulumi` (the same module,
 * by its real path) registers into them; the kind create command "prints" a
 * cluster report, as in the stack tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { kindCommandState } from "../stacks/fixtures";
import { installMocks, promiseOf } from "../support/pulumi-mocks";

/** What the consumer test reads back. */
export interface MockedRun {
  readonly resources: { type: string; name: string; inputs: Record<string, unknown>; provider?: string }[];
  readonly outputs: Record<string, unknown>;
}

async function main(program: string, out: string, project: string): Promise<void> {
  const world = installMocks({ state: kindCommandState, project, stack: "dev" });
  const exported = require(resolve(program)) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    outputs[name] = pulumi.Output.isInstance(value) ? await promiseOf(value) : value;
  }
  // Registrations are asynchronous: wait until the engine has every one of them.
  await pulumi.runtime.disconnect();
  const run: MockedRun = {
    resources: world.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, ...(r.provider ? { provider: r.provider } : {}) })),
    outputs,
  };
  writeFileSync(out, JSON.stringify(run, null, 2));
}

const [program, out, project] = process.argv.slice(2);
if (program === undefined || out === undefined || project === undefined) {
  process.stderr.write("usage: mocked-program.ts <program.ts> <out.json> <project>\n");
  process.exitCode = 2;
} else {
  main(program, out, project).catch((error: unknown) => {
    process.stderr.write(`mocked-program: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
