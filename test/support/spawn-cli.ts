import { spawn } from "node:child_process";

/** What a spawned CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns a built Node CLI asynchronously — a stand-in world living in the
 * test's own process must keep serving while it runs — with colour off and no
 * kubeconfig from the environment; a kill timer bounds it.
 */
export function spawnCli(script: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; limitMs: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, KUBECONFIG: "", NO_COLOR: "1", ...opts.env };
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.limitMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
