/**
 * When `docker info` cannot reach a daemon, tells "no engine installed" (only
 * the docker client is here, e.g. from a distribution's `docker-cli` package
 * or Homebrew's `docker` formula) from "engine installed but not running".
 * An engine is taken as installed when the socket the client tried exists,
 * `dockerd` is on PATH, or a Docker Desktop installation is on disk.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommandRunner } from "./exec";

/** Where Docker Desktop installs itself (macOS app, Linux package, per-user data). */
export function dockerDesktopPaths(home: string = os.homedir()): string[] {
  return ["/Applications/Docker.app", "/opt/docker-desktop", path.join(home, ".docker", "desktop")];
}

/** The socket named in the client's "Cannot connect to the Docker daemon at unix:///…" message, if any. */
export function socketInMessage(message: string): string | undefined {
  return /unix:\/\/(\/[^\s"']+?)(?:[.]?\s|[.]?$|["'])/.exec(message)?.[1];
}

/** True when the client's error says no daemon answered (as opposed to e.g. a permission or TLS problem). */
export function isNoDaemonError(message: string): boolean {
  return /cannot connect to the docker daemon|is the docker daemon running|docker daemon is not running|error during connect/i.test(message);
}

export type EngineState = "not-installed" | "installed";

/** Whether a Docker engine is installed on this machine, judged from the client's error and what is on disk and PATH. */
export async function dockerEngineState(
  message: string,
  run: CommandRunner,
  env: NodeJS.ProcessEnv,
  desktopPaths: readonly string[] = dockerDesktopPaths(),
): Promise<EngineState> {
  const socket = socketInMessage(message);
  if (socket !== undefined && fs.existsSync(socket)) {
    return "installed";
  }
  if (desktopPaths.some((candidate) => fs.existsSync(candidate))) {
    return "installed";
  }
  const dockerd = await run("dockerd", ["--version"], { env });
  return dockerd.outcome === "not-found" ? "not-installed" : "installed";
}
