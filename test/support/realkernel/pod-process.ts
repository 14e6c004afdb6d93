/**
 * A process started inside a network namespace (`ip netns exec` execs it, so
 * the child's pid is the process itself) that reports it is serving with a
 * JSON line `{"event":"listening",...}` on stdout — the demo app's own log
 * line, and the world's API and DNS processes print the same.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** How long a process may take to start listening on 2 busy cores. */
const START_TIMEOUT_MS = 60_000;

export interface NamespaceProcess {
  readonly name: string;
  readonly namespace: string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `argv` in `namespace` with exactly `env` and resolves once it printed its listening line. */
export function startInNamespace(name: string, namespace: string, argv: readonly string[], env: Readonly<Record<string, string>>): Promise<NamespaceProcess> {
  const child: ChildProcess = spawn("ip", ["netns", "exec", namespace, ...argv], {
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    resolve();
  }));
  const handle: NamespaceProcess = {
    name,
    namespace,
    exited: () => exited,
    kill: async () => {
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve(handle);
      else void handle.kill().then(() => reject(error));
    };
    const timer = setTimeout(() => settle(new Error(`${name} in ${namespace} did not start listening within ${START_TIMEOUT_MS / 1000} s; stderr: ${stderr.trim()}`)), START_TIMEOUT_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/"event":"listening"/.test(stdout)) settle();
      // Keep only the unfinished line: a long-running app logs little, but nothing should grow without bound.
      stdout = stdout.slice(stdout.lastIndexOf("\n") + 1);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once("error", (error) => settle(new Error(`${name}: cannot start: ${error.message}`)));
    child.once("exit", (code, signal) => settle(new Error(`${name} in ${namespace} exited (${signal ?? `code ${code}`}) before listening; stderr: ${stderr.trim()}`)));
  });
}
