/**
 * The boundary between the runner and Pulumi: the Automation API
 * (`@pulumi/pulumi/automation`) driving the project's own stack program with
 * a file backend inside the project, so no login and no prompt is needed.
 * Everything the runner asks of Pulumi goes through {@link LabBackend}, which
 * tests replace with a fake.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent, LocalWorkspaceOptions, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { version as sdkVersion } from "@pulumi/pulumi/version";
import { summarizeError } from "./errors";
import { ProgressSink, describeEngineEvent } from "./progress";
import { StackLock, findStackLocks } from "./locks";
import { StackSnapshot, readSnapshot } from "./stack-state";
import { MARKER_DIR_NAME } from "./cluster-marker";
import { stackFileGuard } from "./stack-file-guard";
import { parse } from "yaml";
import { Version, compareVersions, formatVersion, parseVersion } from "./versions";

/** The stack `lab` and `down` use unless told otherwise. */
export const DEFAULT_STACK = "dev";
/**
 * Passphrase of the lab's stack secrets (the kubeconfig). It only protects a
 * throw-away local lab; set PULUMI_CONFIG_PASSPHRASE (or
 * PULUMI_CONFIG_PASSPHRASE_FILE) to use your own.
 */
export const DEFAULT_PASSPHRASE = "svclab-lab";
/**
 * Pulumi CLI version installed into `.pulumi-cli` when none is on PATH: the
 * version of the @pulumi/pulumi SDK that package-lock.json pins, which the
 * Automation API's installer picks by default.
 */
export const PINNED_PULUMI_VERSION: string = sdkVersion;
/** Directory, inside the project, of the file backend. */
export const STATE_DIR_NAME = ".pulumi-state";
/** Directory, inside the project, of a CLI installed on first use. */
export const CLI_DIR_NAME = ".pulumi-cli";

export interface LabDestroyOptions {
  /** Aborting it cancels `destroy` gracefully. */
  readonly signal?: AbortSignal;
  /**
   * Drop Kubernetes objects from the state when their cluster cannot be
   * reached (`PULUMI_K8S_DELETE_UNREACHABLE`). Right only when the cluster
   * itself is being deleted, which takes its objects with it. Default false.
   */
  readonly forgetUnreachableKubernetesObjects?: boolean;
}

/** Stack outputs as plain values (secrets decrypted), keyed by output name. */
export type LabOutputs = Readonly<Record<string, unknown>>;

/** What the runner needs from Pulumi. */
export interface LabBackend {
  /** Where state lives, for messages (e.g. `file:///home/me/svclab/.pulumi-state`). */
  readonly backendUrl: string;
  /** The stack's state, or `undefined` when the stack does not exist yet. Creates nothing; needs no CLI when the backend was never used. */
  snapshot(): Promise<StackSnapshot | undefined>;
  /** Locks held on the stack, stale ones marked. */
  locks(): StackLock[];
  /** Removes the stack's locks (`pulumi cancel`); only for stale ones. */
  cancel(): Promise<void>;
  /** Drops the pending creates an interrupted run left (`pulumi refresh --clear-pending-creates`). */
  clearPendingOperations(onProgress: ProgressSink): Promise<void>;
  /** `pulumi up`: creates or updates, idempotent. Aborting the signal cancels it gracefully. */
  up(onProgress: ProgressSink, signal?: AbortSignal): Promise<LabOutputs>;
  /** `pulumi destroy` of everything in the stack; the stack and its history stay. */
  destroy(onProgress: ProgressSink, options?: LabDestroyOptions): Promise<void>;
  /** The last successful `up`'s outputs, or `undefined` when there is no stack or no output. */
  outputs(): Promise<LabOutputs | undefined>;
}

export interface PulumiBackendOptions {
  /** The project directory (holds Pulumi.yaml). */
  readonly projectDir: string;
  /** Stack name. Default {@link DEFAULT_STACK}. */
  readonly stackName?: string;
  /** Environment the passphrase is read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Install the pinned CLI into `.pulumi-cli` when none is on PATH (a download from get.pulumi.com). Default true. */
  readonly installCli?: boolean;
}

/** A {@link LabBackend} over the Automation API and the project's stack program. */
export function createPulumiBackend(options: PulumiBackendOptions): LabBackend {
  const stackName = options.stackName ?? DEFAULT_STACK;
  const env = options.env ?? process.env;
  const stateDir = path.join(options.projectDir, STATE_DIR_NAME);
  const backendUrl = `file://${stateDir.split(path.sep).join("/")}`;
  let command: Promise<PulumiCommand> | undefined;
  let cliNote: string | undefined;
  // Loaded on first use: it costs about a second, which `svclab verify` and `--help` need not pay.
  const automation = () => import("@pulumi/pulumi/automation");

  const workspaceOptions = async (onProgress?: ProgressSink, extraEnv: Record<string, string> = {}): Promise<LocalWorkspaceOptions> => {
    // The file backend refuses a directory that does not exist.
    fs.mkdirSync(stateDir, { recursive: true });
    command ??= resolvePulumiCommand((await automation()).PulumiCommand, options.projectDir, options.installCli ?? true, (note) => {
      cliNote = note;
    });
    const resolved = await command;
    // Said once, on the first operation that shows progress (`up`, `destroy`), whichever call resolved the CLI.
    if (onProgress !== undefined && cliNote !== undefined) {
      onProgress(cliNote);
      cliNote = undefined;
    }
    return {
      workDir: options.projectDir,
      pulumiCommand: resolved,
      secretsProvider: "passphrase",
      envVars: { PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true", ...passphraseEnv(env), ...extraEnv },
    };
  };
  const select = async (extraEnv?: Record<string, string>): Promise<Stack | undefined> => {
    // A backend that never held a stack has nothing to select: answer without starting (or installing) the CLI.
    if (!fs.existsSync(path.join(stateDir, ".pulumi", "stacks"))) {
      return undefined;
    }
    const { LocalWorkspace, StackNotFoundError } = await automation();
    try {
      return await LocalWorkspace.selectStack({ stackName, workDir: options.projectDir }, await workspaceOptions(undefined, extraEnv));
    } catch (error) {
      if (error instanceof StackNotFoundError) {
        return undefined;
      }
      throw error;
    }
  };
  const createOrSelect = async (onProgress: ProgressSink): Promise<Stack> =>
    (await automation()).LocalWorkspace.createOrSelectStack({ stackName, workDir: options.projectDir }, await workspaceOptions(onProgress));
  const onEvent = (onProgress: ProgressSink) => (event: EngineEvent) => {
    const line = describeEngineEvent(event);
    if (line !== undefined) {
      onProgress(line);
    }
  };

  // Pulumi writes `encryptionsalt:` into the tracked stack file; the guard keeps that file as git has it.
  const guard = stackFileGuard(path.join(options.projectDir, stackConfigDir(options.projectDir), `Pulumi.${stackName}.yaml`), path.join(stateDir, MARKER_DIR_NAME), stackName);
  // Only when Pulumi will run: a backend that never held a stack is answered without touching any file.
  const withStackFile = <T>(operation: () => Promise<T>, always = false): Promise<T> =>
    always || fs.existsSync(path.join(stateDir, ".pulumi", "stacks")) ? guard.around(operation) : operation();

  return {
    backendUrl,
    snapshot: () =>
      withStackFile(async () => {
        const stack = await select();
        return stack === undefined ? undefined : readSnapshot((await stack.exportStack()).deployment);
      }),
    locks: () => findStackLocks(stateDir, stackName),
    cancel: () =>
      withStackFile(async () => {
        const stack = await select();
        await stack?.cancel();
      }),
    clearPendingOperations: (onProgress) =>
      withStackFile(async () => {
        const stack = await select();
        await stack?.refresh({ clearPendingCreates: true, onEvent: onEvent(onProgress) });
      }),
    up: (onProgress, signal) =>
      withStackFile(async () => {
        const stack = await createOrSelect(onProgress);
        const result = await stack.up({ onEvent: onEvent(onProgress), signal });
        return plainOutputs(result.outputs);
      }, true),
    destroy: (onProgress, destroyOptions = {}) =>
      withStackFile(async () => {
        const stack = await select(destroyOptions.forgetUnreachableKubernetesObjects === true ? { PULUMI_K8S_DELETE_UNREACHABLE: "true" } : {});
        await stack?.destroy({ onEvent: onEvent(onProgress), signal: destroyOptions.signal });
      }),
    outputs: () =>
      withStackFile(async () => {
        const stack = await select();
        if (stack === undefined) {
          return undefined;
        }
        const outputs = plainOutputs(await stack.outputs());
        return Object.keys(outputs).length === 0 ? undefined : outputs;
      }),
  };
}

/** `stackConfigDir` of the project's Pulumi.yaml (where Pulumi keeps `Pulumi.<stack>.yaml`), "." when unset or unreadable. */
function stackConfigDir(projectDir: string): string {
  try {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: unknown } | null;
    return typeof project?.stackConfigDir === "string" ? project.stackConfigDir : ".";
  } catch {
    return ".";
  }
}

/**
 * The lab's passphrase unless the user set their own: nothing prompts, and a
 * user's PULUMI_CONFIG_PASSPHRASE(_FILE) always wins.
 */
export function passphraseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) {
    return { PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE };
  }
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) {
    return { PULUMI_CONFIG_PASSPHRASE_FILE: env.PULUMI_CONFIG_PASSPHRASE_FILE };
  }
  return { PULUMI_CONFIG_PASSPHRASE: DEFAULT_PASSPHRASE };
}

/** The part of the Automation API's `PulumiCommand` class that finds or installs a CLI. */
export interface PulumiCommandSource {
  get(): Promise<PulumiCommand>;
  install(options: { root: string }): Promise<PulumiCommand>;
}

/**
 * The `pulumi` on PATH when it is at least the SDK's own version (the
 * Automation API itself accepts any 3.2 or later, which may lack what this
 * SDK drives), else the pinned version installed under `.pulumi-cli`
 * (downloaded from get.pulumi.com once, reused afterwards). `note` receives
 * one line saying which CLI is used and why.
 */
export async function resolvePulumiCommand(source: PulumiCommandSource, projectDir: string, install: boolean, note: (line: string) => void = () => {}): Promise<PulumiCommand> {
  const pinned = parseVersion(PINNED_PULUMI_VERSION) as Version;
  let reason: string;
  try {
    const onPath = await source.get();
    const found = parseVersion(String(onPath.version ?? ""));
    if (found !== undefined && compareVersions(found, pinned) >= 0) {
      note(`using the pulumi CLI on PATH (${formatVersion(found)}, ${onPath.command})`);
      return onPath;
    }
    reason = `the pulumi CLI on PATH is ${found === undefined ? "of an unknown version" : formatVersion(found)}, older than the SDK's v${PINNED_PULUMI_VERSION}`;
  } catch (error) {
    reason = `no usable pulumi CLI on PATH (${summarizeError(error)})`;
  }
  if (!install) {
    throw new Error(`${reason}: install Pulumi v${PINNED_PULUMI_VERSION} or later, https://www.pulumi.com/docs/iac/download-install/`);
  }
  note(`${reason}: using Pulumi v${PINNED_PULUMI_VERSION} in ${CLI_DIR_NAME}/ (installed on first use)`);
  return source.install({ root: path.join(projectDir, CLI_DIR_NAME) });
}

function plainOutputs(outputs: Record<string, { value: unknown }>): LabOutputs {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}
