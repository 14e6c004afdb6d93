/**
 * Runs an external program (docker, kind, kubectl) without a shell and never
 * throws: a missing program, a timeout and a non-zero exit are results the
 * caller turns into one actionable message.
 */
import { execFile } from "node:child_process";

/** Default time a helper command may take before it counts as hung. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 15_000;

/** How a command ended. */
export type CommandOutcome = "ok" | "not-found" | "timeout" | "failed";

export interface CommandResult {
  readonly outcome: CommandOutcome;
  /** Exit code when the program ran to its end; `undefined` otherwise. */
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the program after this many milliseconds. Default {@link DEFAULT_COMMAND_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Environment for the program. Default: this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Signature shared by the real runner and the ones tests pass in. */
export type CommandRunner = (file: string, args: readonly string[], options?: RunOptions) => Promise<CommandResult>;

/** Runs `file args…` through `execFile` (no shell) with a timeout. */
export const runCommand: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, env: options.env ?? process.env, windowsHide: true, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const out = String(stdout);
        const err = String(stderr);
        if (error === null) {
          resolve({ outcome: "ok", code: 0, stdout: out, stderr: err });
          return;
        }
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        if (failure.code === "ENOENT") {
          resolve({ outcome: "not-found", code: undefined, stdout: out, stderr: err });
        } else if (failure.killed === true) {
          resolve({ outcome: "timeout", code: undefined, stdout: out, stderr: err });
        } else {
          const code = typeof failure.code === "number" ? failure.code : undefined;
          resolve({ outcome: "failed", code, stdout: out, stderr: err });
        }
      },
    );
  });

/** The first non-empty line of a program's error output, for one-line messages. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ""
  );
}
