/**
 * `svclab lab` and `svclab down`: thin commands over {@link runLab} and
 * {@link runDown}. Parse → wire the real Pulumi backend and verifier → run →
 * one-line error → exit code.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { parse } from "yaml";
import { KubeApiError, VerifyOptionError, renderReport, verify } from "../verifier";
import { writeHtmlReport } from "../verifier/report/html-file";
import { progressPrinter } from "../verifier/cli";
import { runDown } from "./down";
import { EXIT_CANNOT_RUN, EXIT_INTERRUPTED, LabError, summarizeError } from "./errors";
import { LabIo, LabVerify, runLab } from "./lab";
import { readLabSettings } from "./lab-settings";
import { checkStackConfig } from "../stacks/stack-file";
import { clusterMarkers } from "./cluster-marker";
import { DEFAULT_PASSPHRASE, DEFAULT_STACK, LabBackend, STATE_DIR_NAME, createPulumiBackend } from "./pulumi";

/** How long the lab's verifier waits for rollouts and endpoints, in ms (a fresh cluster is slower than the verifier's own default). */
export const LAB_VERIFY_DEADLINE_MS = 180_000;

const LAB_HELP = `
What it does:
  1. preflight: Docker engine, kind (and that it can run the node image),
     free host ports, no foreign kind cluster
  2. pulumi up of the stack program (file backend in .pulumi-state/, no login;
     passphrase "${DEFAULT_PASSPHRASE}" unless PULUMI_CONFIG_PASSPHRASE is set)
  3. the verifier's matrix, then the URLs to try
  Through npm, use \`npm run -s lab -- --format junit > report.xml\` (-s keeps
  npm's banner out of stdout) or \`--out report.xml\`.
  Run it again on a running lab: nothing changes, it verifies again.
  Ctrl-C during up: Pulumi stops after the steps in flight; the next lab or
  down recovers.

Exit codes:
  0  the lab is up and every probe passed
  1  the lab is up and some probe failed
  2  preflight failed, pulumi up failed, or the verifier could not run
  130 interrupted`;

const DOWN_HELP = `
Destroys the stack, then checks that no kind cluster, no cloud-provider-kind
container, no image the lab built and no kind-<name> kubeconfig context of
the lab is left, lists what it keeps on purpose (state, downloads), and makes
the kubectl context that was current before the lab current again. Safe to
run twice and after a failed or interrupted lab (a cluster whose creation was
cut off is known by the lab's ownership marker in .pulumi-state/). A kind
cluster the lab cannot prove it made is reported, never deleted.

Exit codes:
  0  nothing of the lab is left
  1  something is left (listed with the command that removes it), or a kind
     cluster of the lab's name that the lab did not make exists
  2  pulumi destroy failed or the leftovers could not be checked
  130 interrupted`;

interface LabFlags {
  stack: string;
  skipVerify?: boolean;
  format: "table" | "json" | "junit";
  out?: string;
}

interface DownFlags {
  stack: string;
}

const stackOption = () => new Option("--stack <name>", "Pulumi stack (config in stacks/Pulumi.<name>.yaml)").default(DEFAULT_STACK);

/** The `lab` subcommand. */
export function labCommand(): Command {
  return new Command("lab")
    .description("Create the kind Services lab with Pulumi, verify every Service, and print the URLs to try (npm run lab).")
    .addOption(stackOption())
    .option("--skip-verify", "stop after pulumi up, without running the verifier")
    .addOption(new Option("--format <format>", "verifier report format").choices(["table", "json", "junit"]).default("table"))
    .option("--out <file>", "write the verifier's report to a file instead of stdout (its folder must exist)")
    .addHelpText("after", LAB_HELP)
    .action(async (flags: LabFlags) => {
      process.exitCode = await guarded("lab", (interrupts) => {
        const projectDir = findProjectDir();
        const settings = readLabSettings(projectDir, flags.stack);
        // On a kind lab every node is a container whose rules can be read: the page explains each path by them.
        const explain = settings.clusterMode === "kind";
        return runLab(
          { stackName: flags.stack, skipVerify: flags.skipVerify === true, machineReadable: flags.format !== "table", reportFile: flags.out, ...interrupts },
          {
            backend: interrupts.tracked(createPulumiBackend({ projectDir, stackName: flags.stack })),
            settings,
            checkConfig: () => checkStackConfig(projectDir, flags.stack),
            markers: clusterMarkers(path.join(projectDir, STATE_DIR_NAME)),
            verify: verifyWith(flags.format, flags.out === undefined && process.stdout.isTTY === true, path.join(projectDir, "reports", `lab-${flags.stack}.html`), verify, process.stderr, explain),
            io: processIo,
          },
        );
      });
    });
}

/** The `down` subcommand. */
export function downCommand(): Command {
  return new Command("down")
    .description("Destroy the lab and prove nothing of it is left (npm run lab:down).")
    .addOption(stackOption())
    .addHelpText("after", DOWN_HELP)
    .action(async (flags: DownFlags) => {
      process.exitCode = await guarded("down", (interrupts) => {
        const projectDir = findProjectDir();
        return runDown(
          { stackName: flags.stack, ...interrupts },
          {
            backend: interrupts.tracked(createPulumiBackend({ projectDir, stackName: flags.stack })),
            settings: readLabSettings(projectDir, flags.stack),
            markers: clusterMarkers(path.join(projectDir, STATE_DIR_NAME)),
            projectDir,
            io: processIo,
          },
        );
      });
    });
}

const processIo: LabIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** What a running command learns about Ctrl-C and SIGTERM. */
export interface Interrupts {
  /** Aborted on SIGTERM or a second Ctrl-C. */
  readonly signal: AbortSignal;
  /** True once Ctrl-C was pressed. */
  readonly interrupted: () => boolean;
  /** The backend with its Pulumi operations marked as in flight, so Ctrl-C lets them finish. */
  readonly tracked: (backend: LabBackend) => LabBackend;
}

/**
 * Runs `task` with signal handling and turns failures into one line and an
 * exit code. While a Pulumi operation runs, Ctrl-C in a terminal reaches
 * Pulumi directly (same process group), which then stops gracefully; so the
 * first SIGINT only notes it, and a second one, or SIGTERM (a CI job being
 * cancelled), aborts the operation, which forwards SIGINT to Pulumi in case it
 * was not reached. Outside Pulumi operations (preflight, verifying) there is
 * no state to save: Ctrl-C exits at once with 130.
 */
export async function guarded(
  name: string,
  task: (interrupts: Interrupts) => Promise<number>,
  exit: (code: number) => void = (code) => process.exit(code),
): Promise<number> {
  const controller = new AbortController();
  let interruptCount = 0;
  let pulumiOperations = 0;
  const whilePulumiRuns = <T>(operation: Promise<T>): Promise<T> => {
    pulumiOperations += 1;
    return operation.finally(() => {
      pulumiOperations -= 1;
    });
  };
  const tracked = (backend: LabBackend): LabBackend => ({
    backendUrl: backend.backendUrl,
    snapshot: () => backend.snapshot(),
    locks: () => backend.locks(),
    cancel: () => backend.cancel(),
    outputs: () => backend.outputs(),
    up: (onProgress, signal) => whilePulumiRuns(backend.up(onProgress, signal)),
    destroy: (onProgress, options) => whilePulumiRuns(backend.destroy(onProgress, options)),
    clearPendingOperations: (onProgress) => whilePulumiRuns(backend.clearPendingOperations(onProgress)),
  });
  const onSigint = () => {
    interruptCount += 1;
    if (pulumiOperations === 0) {
      process.stderr.write(`\nsvclab ${name}: interrupted\n`);
      exit(EXIT_INTERRUPTED);
    } else if (interruptCount === 1) {
      process.stderr.write(`\nsvclab ${name}: Ctrl-C: Pulumi finishes the steps in flight and saves its state (Ctrl-C again stops at once)\n`);
    } else {
      controller.abort();
    }
  };
  const onSigterm = () => controller.abort();
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  try {
    return await task({ signal: controller.signal, interrupted: () => interruptCount > 0, tracked });
  } catch (error) {
    const exitCode = error instanceof LabError ? error.exitCode : EXIT_CANNOT_RUN;
    process.stderr.write(`svclab ${name}: ${error instanceof LabError ? error.message : summarizeError(error)}\n`);
    return exitCode;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}

/**
 * Verifies the lab; also writes the HTML page to `htmlFile` and names it on
 * `stderr` (stdout may carry JSON or JUnit). `run` is the verifier (a test
 * hands in a recorded report). With `explain` (a kind lab) the run reads each
 * node's rules and the page embeds every path's explanation (`verify --explain`).
 */
export function verifyWith(
  format: LabFlags["format"],
  color: boolean,
  htmlFile: string,
  run: typeof verify = verify,
  stderr: Pick<NodeJS.WritableStream, "write"> = process.stderr,
  explain = false,
): LabVerify {
  return async (kubeconfig, namespace) => {
    try {
      const report = await run({ kubeconfig, namespace, deadlineMs: LAB_VERIFY_DEADLINE_MS, explain, onProgress: progressPrinter(process.stderr) });
      stderr.write(`HTML report: ${writeHtmlReport(report, htmlFile)}\n`);
      const rendered = renderReport(report, format, { color });
      return { exitCode: report.exitCode, rendered: rendered.replace(/\n$/, "") };
    } catch (error) {
      if (error instanceof KubeApiError || error instanceof VerifyOptionError) {
        throw new LabError(`the verifier could not run: ${error.message}`, EXIT_CANNOT_RUN);
      }
      throw error;
    }
  };
}

/**
 * The svclab checkout: the nearest directory above this file holding svclab's
 * own Pulumi.yaml (works from runner/, dist/runner/ and lib/runner/). Another
 * project's Pulumi.yaml is passed by: the installed package (node_modules/svclab)
 * has no stack program, and the consumer's project above it is not the lab.
 */
export function findProjectDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (isSvclabProject(path.join(dir, "Pulumi.yaml"))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new LabError(
        `no Pulumi.yaml of project svclab found above ${start}: run the lab from a checkout of the svclab repository (the npm package has no stack program)`,
        EXIT_CANNOT_RUN,
      );
    }
    dir = parent;
  }
}

function isSvclabProject(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    return (parse(fs.readFileSync(file, "utf8")) as { name?: unknown } | null)?.name === "svclab";
  } catch {
    return false;
  }
}
