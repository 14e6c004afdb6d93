/**
 * Checks run before the lab creates anything. Each failed check carries one
 * line that says what is wrong and what to do about it.
 */
import { CommandRunner, firstLine, runCommand } from "./exec";
import { dockerDesktopPaths, dockerEngineState, isNoDaemonError } from "./docker-engine";
import { judgeKindForNodeImage } from "./kind-node-images";
import { HostPort, checkPort, probeAddressFor } from "./port-check";
import { Version, compareVersions, formatVersion, parseVersion } from "./versions";

/** kind releases older than this lack what the lab relies on (cloud-provider-kind support). */
export const MINIMUM_KIND_VERSION = "0.20.0";
/** The kind release the install hint names: the one the default node image (components/kind-config.ts) is built for. */
export const SUGGESTED_KIND_VERSION = "v0.29.0";
export const KIND_INSTALL_URL = "https://kind.sigs.k8s.io/docs/user/quick-start/#installation";
export const DOCKER_INSTALL_URL = "https://docs.docker.com/get-docker/";
/** How long `docker info` may take before the daemon counts as hung. */
export const DOCKER_INFO_TIMEOUT_MS = 10_000;

export type CheckId = "docker" | "kind" | "ports" | "cluster";
export type CheckStatus = "pass" | "fail" | "skip";

export interface PreflightCheck {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One line: what was found, or what is wrong and how to fix it. */
  readonly message: string;
}

export interface PreflightResult {
  /** True when no check failed. */
  readonly ok: boolean;
  readonly checks: readonly PreflightCheck[];
  /** Names from `kind get clusters`; empty when it could not run. */
  readonly kindClusters: readonly string[];
}

export interface PreflightInput {
  /** The kind cluster the lab creates (stack config). */
  readonly clusterName: string;
  /** Host ports the kind cluster will publish. */
  readonly hostPorts: readonly HostPort[];
  /**
   * Whether this lab's Pulumi state records a kind cluster of that name (the
   * lab created it). Asked only when such a cluster exists, so a machine that
   * fails the other checks never reaches Pulumi.
   */
  readonly clusterOwnedByLab: () => Promise<boolean>;
  /** The kind node image the cluster will run (stack config `nodeImage`); kind must be a release that can run it. */
  readonly nodeImage?: string;
  /** Where to edit the mappings or the name, shown in fix hints. Default `stacks/Pulumi.dev.yaml`. */
  readonly configFile?: string;
  /** Runs docker and kind; replaced in tests. Default {@link runCommand}. */
  readonly run?: CommandRunner;
  /** Environment for docker and kind (its PATH decides which are found). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long `docker info` may take. Default {@link DOCKER_INFO_TIMEOUT_MS}. */
  readonly dockerInfoTimeoutMs?: number;
  /** Paths whose existence shows Docker Desktop is installed. Default {@link dockerDesktopPaths}. */
  readonly dockerDesktopPaths?: readonly string[];
}

/** Runs every check; a check that depends on a failed one is skipped, never passed. */
export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const run = input.run ?? runCommand;
  const env = input.env ?? process.env;
  const configFile = input.configFile ?? "stacks/Pulumi.dev.yaml";
  const dockerTimeoutMs = input.dockerInfoTimeoutMs ?? DOCKER_INFO_TIMEOUT_MS;
  const [docker, kind] = await Promise.all([checkDocker(run, env, dockerTimeoutMs, input.dockerDesktopPaths ?? dockerDesktopPaths()), checkKind(run, env, input.nodeImage, configFile)]);
  const checks: PreflightCheck[] = [docker, kind];
  let kindClusters: string[] = [];
  let ownClusterRunning = false;
  if (docker.status === "pass" && kind.status === "pass") {
    const listed = await listKindClusters(run, env);
    kindClusters = listed.clusters;
    const exists = kindClusters.includes(input.clusterName);
    ownClusterRunning = exists && (await input.clusterOwnedByLab());
    checks.push(listed.error === undefined ? judgeCluster(input.clusterName, exists, ownClusterRunning, configFile) : { id: "cluster", status: "fail", message: listed.error });
  } else {
    checks.push({ id: "cluster", status: "skip", message: "kind clusters not listed: needs a working Docker and kind" });
  }
  checks.push(ownClusterRunning ? { id: "ports", status: "skip", message: `host ports are held by this lab's own cluster "${input.clusterName}"` } : await checkPorts(input.hostPorts, configFile));
  return { ok: checks.every((check) => check.status !== "fail"), checks, kindClusters };
}

async function checkDocker(run: CommandRunner, env: NodeJS.ProcessEnv, timeoutMs: number, desktopPaths: readonly string[]): Promise<PreflightCheck> {
  const result = await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs, env });
  switch (result.outcome) {
    case "ok":
      return { id: "docker", status: "pass", message: `Docker daemon reachable (server ${firstLine(result.stdout)})` };
    case "not-found":
      return { id: "docker", status: "fail", message: `docker is not installed (not on PATH): install Docker Engine on Linux or Docker Desktop on macOS/Windows (WSL2), ${DOCKER_INSTALL_URL}` };
    case "timeout":
      return { id: "docker", status: "fail", message: `the Docker daemon did not answer \`docker info\` within ${timeoutMs / 1000} s: it is starting or hung; wait for it or restart Docker` };
    case "failed": {
      const reason = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.code ?? "unknown"}`;
      if (isNoDaemonError(reason) && (await dockerEngineState(reason, run, env, desktopPaths)) === "not-installed") {
        return {
          id: "docker",
          status: "fail",
          message: `only the docker client is installed, no Docker engine (${reason}; no dockerd on PATH, no Docker Desktop): install Docker Engine on Linux or Docker Desktop on macOS/Windows (WSL2), ${DOCKER_INSTALL_URL}`,
        };
      }
      const fix = /permission denied/i.test(reason)
        ? "add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again)"
        : "start it (`sudo systemctl start docker` on Linux, or open Docker Desktop)";
      return { id: "docker", status: "fail", message: `the Docker engine is installed but ${isNoDaemonError(reason) ? "not running" : "not reachable"} (${reason}): ${fix}` };
    }
  }
}

const installKind = (release: string): string => `\`go install sigs.k8s.io/kind@${release}\` or the release binary, ${KIND_INSTALL_URL}`;
const INSTALL_KIND = `install kind ≥ v${MINIMUM_KIND_VERSION}: ${installKind(SUGGESTED_KIND_VERSION)}`;

async function checkKind(run: CommandRunner, env: NodeJS.ProcessEnv, nodeImage: string | undefined, configFile: string): Promise<PreflightCheck> {
  const result = await run("kind", ["version"], { env });
  if (result.outcome === "not-found") {
    return { id: "kind", status: "fail", message: `kind is not on PATH: ${INSTALL_KIND}` };
  }
  if (result.outcome !== "ok") {
    return { id: "kind", status: "fail", message: `\`kind version\` failed (${firstLine(result.stderr) || result.outcome}): reinstall it; ${INSTALL_KIND}` };
  }
  const line = firstLine(result.stdout);
  const version = parseVersion(line);
  if (version !== undefined && compareVersions(version, parseVersion(MINIMUM_KIND_VERSION) as Version) < 0) {
    return { id: "kind", status: "fail", message: `${line} is too old: ${INSTALL_KIND}` };
  }
  if (version === undefined || nodeImage === undefined) {
    return { id: "kind", status: "pass", message: line };
  }
  const verdict = judgeKindForNodeImage(version, nodeImage, SUGGESTED_KIND_VERSION);
  if (!verdict.ok) {
    return {
      id: "kind",
      status: "fail",
      message: `${verdict.message}: install kind ${verdict.suggestedKind} (${installKind(verdict.suggestedKind)}), or set nodeImage in ${configFile} to an image from the release notes of kind ${formatVersion(version)}`,
    };
  }
  return { id: "kind", status: "pass", message: `${line}; ${verdict.message}` };
}

async function listKindClusters(run: CommandRunner, env: NodeJS.ProcessEnv): Promise<{ clusters: string[]; error?: string }> {
  const result = await run("kind", ["get", "clusters"], { env });
  if (result.outcome !== "ok") {
    return { clusters: [], error: `\`kind get clusters\` failed (${firstLine(result.stderr) || result.outcome}): check that Docker is running and kind can reach it` };
  }
  // "No kind clusters found." is printed on stderr, so stdout holds only names.
  return {
    clusters: result.stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0),
  };
}

function judgeCluster(name: string, exists: boolean, ownedByLab: boolean, configFile: string): PreflightCheck {
  if (!exists) {
    return { id: "cluster", status: "pass", message: `no kind cluster named "${name}" yet: the lab will create it` };
  }
  if (ownedByLab) {
    return { id: "cluster", status: "pass", message: `kind cluster "${name}" exists and was created by this lab: \`up\` keeps it` };
  }
  return {
    id: "cluster",
    status: "fail",
    message: `a kind cluster named "${name}" exists that this lab did not create: delete it (\`kind delete cluster --name ${name}\`) if it is yours to remove, or give the lab another cluster name in ${configFile}`,
  };
}

async function checkPorts(hostPorts: readonly HostPort[], configFile: string): Promise<PreflightCheck> {
  if (hostPorts.length === 0) {
    return { id: "ports", status: "pass", message: "no host port mappings configured" };
  }
  const problems: string[] = [];
  for (const mapping of hostPorts) {
    const address = probeAddressFor(mapping.listenAddress);
    const state = await checkPort(address, mapping.hostPort);
    if (state.state === "in-use") {
      problems.push(`${address}:${mapping.hostPort} is in use`);
    } else if (state.state === "unknown") {
      problems.push(state.reason);
    }
  }
  if (problems.length === 0) {
    return { id: "ports", status: "pass", message: `host ports free: ${hostPorts.map((mapping) => mapping.hostPort).join(", ")}` };
  }
  return {
    id: "ports",
    status: "fail",
    message: `${problems.join("; ")}: stop what listens there (\`ss -ltnp\` on Linux, \`lsof -nP -iTCP -sTCP:LISTEN\` on macOS) or change the port mappings in ${configFile}`,
  };
}
