/**
 * `svclab lab`: from nothing to a verified Services lab in one command.
 * preflight → recover what an interrupted run left → `pulumi up` with live
 * progress → the verifier (its readiness deadline waits for rollouts and
 * endpoints) → the URLs to try → the verifier's exit code.
 */
import * as fs from "node:fs";
import { reportDestinationProblem } from "../verifier/report/destination";
import { errColors as pc, outColors } from "./colors";
import { CommandRunner } from "./exec";
import { EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_OK, LabError, summarizeError } from "./errors";
import { claimClusterBeforeUp, contextSwitchNote, releaseClusterAfterFailedUp, ClusterFacts } from "./cluster-claim";
import type { ClusterMarkers } from "./cluster-marker";
import { currentContext, kubeconfigFiles } from "./kube-contexts";
import { withTempKubeconfig } from "./kubeconfig-file";
import type { LabSettings } from "./lab-settings";
import { PreflightInput, PreflightResult, preflight as realPreflight } from "./preflight";
import type { LabBackend, LabOutputs } from "./pulumi";
import { recoverInterrupted } from "./recover";
import { EMPTY_SNAPSHOT, StackSnapshot, ownsCluster } from "./stack-state";
import { formatLabUrls } from "./urls";

/** Where `lab` and `down` write: `out` carries the verifier's report, `err` everything else. */
export interface LabIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The verifier as the lab uses it: a kubeconfig file in, an exit code and the rendered report out. */
export type LabVerify = (kubeconfigFile: string, namespace: string) => Promise<{ readonly exitCode: number; readonly rendered: string }>;

export interface LabDeps {
  readonly backend: LabBackend;
  readonly settings: LabSettings;
  readonly verify: LabVerify;
  readonly io: LabIo;
  /** Default: the real {@link realPreflight}. */
  readonly preflight?: (input: PreflightInput) => Promise<PreflightResult>;
  /** Runs kind and docker during recovery. */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** Checks the stack's config with the stack program's rules; throws on bad config. Runs before anything else. */
  readonly checkConfig?: () => void;
  /** The ownership markers of the lab's state directory (see cluster-marker.ts). */
  readonly markers: ClusterMarkers;
  /** Kubeconfig files to read the current context from. Default: as kubectl resolves them. */
  readonly kubeconfigFiles?: readonly string[];
}

export interface LabOptions {
  /** The Pulumi stack. */
  readonly stackName: string;
  /** Stop after `up`, without verifying. Default false. */
  readonly skipVerify?: boolean;
  /** True when the report is for machines (json, junit): the URLs then go to stderr, keeping stdout parseable. */
  readonly machineReadable?: boolean;
  /** Write the verifier's report to this file instead of stdout (`--out`); checked before anything runs. */
  readonly reportFile?: string;
  /** Aborting it cancels `up` gracefully (Pulumi finishes the steps in flight and saves its state). */
  readonly signal?: AbortSignal;
  /** Whether Ctrl-C was pressed; the terminal delivers it to Pulumi itself. */
  readonly interrupted?: () => boolean;
}

/** Runs the whole lab; resolves to the exit code. Errors that stop the run are {@link LabError}s. */
export async function runLab(options: LabOptions, deps: LabDeps): Promise<number> {
  const { backend, settings, io } = deps;
  const log = (line: string) => io.err(`  ${pc.dim("·")} ${line}`);
  try {
    deps.checkConfig?.();
  } catch (error) {
    throw new LabError(`${summarizeError(error)}; nothing was downloaded or created`, EXIT_CANNOT_RUN);
  }

  // A missing folder found after minutes of `up` and probing would waste the whole run.
  const destinationProblem = options.reportFile === undefined ? undefined : reportDestinationProblem(options.reportFile);
  if (destinationProblem !== undefined) {
    throw new LabError(`${destinationProblem}; nothing was run`, EXIT_CANNOT_RUN);
  }
  io.err(pc.bold(`svclab lab: stack "${options.stackName}", state in ${backend.backendUrl}`));
  let cached: StackSnapshot | undefined;
  let clusterFacts: ClusterFacts | undefined;
  const loadSnapshot = async (): Promise<StackSnapshot> => (cached ??= (await backend.snapshot()) ?? EMPTY_SNAPSHOT);

  if (settings.clusterMode === "kind") {
    const checks = await (deps.preflight ?? realPreflight)({
      clusterName: settings.clusterName,
      hostPorts: settings.hostPorts,
      nodeImage: settings.nodeImage,
      // The marker proves ownership when the state cannot: a creation cut off before Pulumi recorded it.
      clusterOwnedByLab: async () => deps.markers.read(settings.clusterName) !== undefined || ownsCluster(await loadSnapshot(), settings.clusterName),
      configFile: settings.configFile,
      run: deps.run,
      env: deps.env,
    });
    io.err(formatChecklist(checks));
    if (!checks.ok) {
      throw new LabError("preflight failed: nothing was created; fix the items marked ✗ and run the lab again", EXIT_CANNOT_RUN);
    }
    const current = await loadSnapshot();
    const recorded = current.clusterNames.includes(settings.clusterName);
    clusterFacts = {
      clusterName: settings.clusterName,
      stack: options.stackName,
      exists: checks.kindClusters.includes(settings.clusterName),
      recorded,
      pendingCreate: current.pendingClusterNames.includes(settings.clusterName),
    };
    if (recorded && !checks.kindClusters.includes(settings.clusterName)) {
      // Pulumi would believe the cluster still exists and fail on every object inside it.
      throw new LabError(
        `the lab's kind cluster "${settings.clusterName}" is recorded in the stack but no longer exists (deleted outside the lab): run \`npm run lab:down\` to clear the stack, then \`npm run lab\``,
        EXIT_CANNOT_RUN,
      );
    }
  } else {
    io.err(`Preflight: cluster mode "${settings.clusterMode}": Docker, kind and host port checks do not apply`);
  }

  const snapshot = await loadSnapshot();
  await recoverInterrupted(snapshot, { backend, log, run: deps.run, env: deps.env, stackName: options.stackName });
  const claimDeps = { markers: deps.markers, log, run: deps.run, env: deps.env, kubeconfigFiles: deps.kubeconfigFiles ?? kubeconfigFiles(deps.env ?? process.env) };
  if (clusterFacts !== undefined) {
    await claimClusterBeforeUp(clusterFacts, claimDeps);
  }

  io.err(
    snapshot.resourceCount > 0
      ? `The lab is already up (${snapshot.resourceCount} resources): \`pulumi up\` is idempotent, so it changes only what differs from the program (normally nothing), then the lab verifies again.`
      : "Creating the lab with `pulumi up` (a first run builds the image and the cluster: a few minutes).",
  );
  const contextBefore = currentContext(claimDeps.kubeconfigFiles);
  let outputs: LabOutputs;
  try {
    outputs = await up(options, deps, log);
  } catch (error) {
    if (clusterFacts !== undefined && !clusterFacts.recorded) {
      await releaseClusterAfterFailedUp(clusterFacts.clusterName, claimDeps);
    }
    throw error;
  }
  const switched = clusterFacts === undefined ? undefined : contextSwitchNote(contextBefore, currentContext(claimDeps.kubeconfigFiles), clusterFacts.clusterName);
  if (switched !== undefined) {
    io.err(switched);
  }

  let exitCode = EXIT_OK;
  if (options.skipVerify === true) {
    io.err("Verification skipped (--skip-verify).");
  } else {
    exitCode = await verifyLab(outputs, deps, options.reportFile);
  }
  const urls = formatLabUrls(outputs);
  const urlSink = options.machineReadable === true && options.reportFile === undefined ? io.err : io.out;
  if (urls.length > 0) {
    urlSink(["", outColors.bold("Try it yourself:"), ...urls].join("\n"));
  }
  // The stack's own warnings (e.g. a port mapping open to the network) must not scroll away unseen.
  const notes = Array.isArray(outputs.notes) ? outputs.notes.filter((note): note is string => typeof note === "string") : [];
  if (notes.length > 0) {
    io.err(notes.join("\n"));
  }
  return exitCode;
}

async function up(options: LabOptions, deps: LabDeps, log: (line: string) => void): Promise<LabOutputs> {
  try {
    return await deps.backend.up(log, options.signal);
  } catch (error) {
    if (options.signal?.aborted === true || options.interrupted?.() === true) {
      throw new LabError(
        "interrupted: Pulumi stopped after the operations in flight and saved its state; `npm run lab` continues from there, `npm run lab:down` removes what was created",
        EXIT_INTERRUPTED,
      );
    }
    throw new LabError(
      `pulumi up failed: ${summarizeError(error)}; fix the cause and run \`npm run lab\` again (it resumes), or remove what was created with \`npm run lab:down\``,
      EXIT_CANNOT_RUN,
    );
  }
}

async function verifyLab(outputs: LabOutputs, deps: LabDeps, reportFile: string | undefined): Promise<number> {
  const kubeconfig = outputs.kubeconfig;
  const namespace = outputs.namespace;
  if (typeof kubeconfig !== "string" || typeof namespace !== "string") {
    throw new LabError("the stack has no kubeconfig or namespace output to verify with; run `npm run lab` again after a successful `pulumi up`", EXIT_CANNOT_RUN);
  }
  deps.io.err(`Verifying every Service in namespace "${namespace}" (the verifier waits for rollouts and endpoints first)…`);
  const result = await withTempKubeconfig(kubeconfig, (file) => deps.verify(file, namespace));
  if (reportFile === undefined) {
    deps.io.out(result.rendered);
  } else {
    fs.writeFileSync(reportFile, `${result.rendered}\n`);
    deps.io.err(`Report written to ${reportFile}.`);
  }
  return result.exitCode;
}

const MARKS = { pass: pc.green("✓"), fail: pc.red("✗"), skip: pc.dim("-") } as const;

/** The preflight result as the checklist the CLI prints. */
export function formatChecklist(result: PreflightResult): string {
  const width = Math.max(...result.checks.map((check) => check.id.length));
  return ["Preflight:", ...result.checks.map((check) => `  ${MARKS[check.status]} ${check.id.padEnd(width)}  ${check.message}`)].join("\n");
}
