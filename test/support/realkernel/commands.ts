/**
 * Running the system tools a network-namespace world is built with (`ip`,
 * `iptables-restore`, `iptables-save`): asynchronously, so a jest worker's
 * event loop keeps turning, with a bounded time, and failing with the command
 * line and its stderr.
 */
import { spawn } from "node:child_process";

/** A command that exited non-zero, could not start, or ran too long. */
export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly detail: string) {
    super(`${argv.join(" ")}: ${detail}`);
    this.name = "CommandError";
  }
}

/** How long one tool invocation may take; generous, as 2 busy cores can be slow. */
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs `argv`, feeding `input` on stdin; resolves with stdout. */
export function run(argv: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new CommandError(argv, error.message));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new CommandError(argv, signal !== null ? `killed by ${signal}` : `exit code ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
    child.stdin.on("error", () => undefined); // a tool that exits early closes its stdin; the exit code says what happened
    child.stdin.end(input ?? "");
  });
}

/** Runs `ip -batch -` (in `namespace` when given) with one command per line; nothing to do for no lines. */
export async function ipBatch(lines: readonly string[], namespace?: string): Promise<void> {
  if (lines.length === 0) return;
  await run(["ip", ...(namespace !== undefined ? ["-n", namespace] : []), "-batch", "-"], `${lines.join("\n")}\n`);
}

/** Runs `argv` inside a network namespace (`ip netns exec`). */
export function inNamespace(namespace: string, argv: readonly string[], input?: string): Promise<string> {
  return run(["ip", "netns", "exec", namespace, ...argv], input);
}
