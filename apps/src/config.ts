import { hostname } from "node:os";
import { MIN_TOKEN_LENGTH, PROBE_TOKEN_HEADER } from "./probe-token";

/** The three parts one image can play; see docs/CONTRACTS.md. */
export const ROLES = ["frontend", "backend", "probe"] as const;

/** Which part this instance plays: `frontend` calls the backend, `probe` adds `/dial` and `/resolve`. */
export type Role = (typeof ROLES)[number];

/** Everything the workload reads from its environment, validated and with defaults applied. */
export interface AppConfig {
  /** `ROLE`; default `backend`. */
  readonly role: Role;
  /** `PORT`, 0–65535 (0 = any free port); default 3000, the contract's container port. */
  readonly port: number;
  /** `HOST`, the address to bind; default unset = every interface (what a pod needs). */
  readonly host: string | undefined;
  /** `POD_NAME` from the Downward API; default the hostname, which Kubernetes sets to the pod name. */
  readonly podName: string;
  /** `POD_NAMESPACE` from the Downward API; default `unknown`. */
  readonly namespace: string;
  /** `NODE_NAME` from the Downward API (`spec.nodeName`); default `unknown`. */
  readonly nodeName: string;
  /** `POD_IP` from the Downward API (`status.podIP`); default `unknown`. */
  readonly podIP: string;
  /**
   * `BACKEND_URL`, an http(s) URL the frontend calls; `null` for other roles.
   * Default for the frontend: `http://backend`, the backend Service's short name,
   * which the pod's DNS search path completes within its own namespace.
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
   */
  readonly backendUrl: string | null;
  /** `APP_VERSION`; default `dev`. */
  readonly version: string;
  /**
   * `SHUTDOWN_GRACE_MS`, 0–600000: how long in-flight requests may run after SIGTERM
   * before their connections are cut. Default 8000: inside the 10 s
   * `terminationGracePeriodSeconds` svclab's pods get (and Kubernetes' default 30 s),
   * so the process exits on its own before the kubelet sends SIGKILL.
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   */
  readonly shutdownGraceMs: number;
  /**
   * `PROBE_TOKEN_FILE`: for `ROLE=probe`, the file holding the token a caller
   * of `/dial` and `/resolve` must send (the kit mounts it from a Secret).
   * Required for the probe role: an agent without it would relay for anyone
   * who reaches the pod, so it does not start. `null` for other roles, which
   * ignore it.
   */
  readonly probeTokenFile: string | null;
}

/** A configuration value that cannot be used; the message names the variable, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const DEFAULT_PORT = 3000;
const DEFAULT_SHUTDOWN_GRACE_MS = 8_000;
const MAX_SHUTDOWN_GRACE_MS = 600_000;

/**
 * Reads and validates the workload's environment.
 * Empty strings count as unset, because a Downward API field that is not
 * available arrives as an empty variable.
 * @throws ConfigError naming the variable, its value and what is allowed.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const role = parseRole(valueOf(env, "ROLE"));
  const backendUrl = role === "frontend" ? parseBackendUrl(valueOf(env, "BACKEND_URL")) : null;
  return Object.freeze({
    role,
    port: parseInteger("PORT", valueOf(env, "PORT"), DEFAULT_PORT, 0, 65535),
    host: valueOf(env, "HOST"),
    podName: valueOf(env, "POD_NAME") ?? hostname(),
    namespace: valueOf(env, "POD_NAMESPACE") ?? "unknown",
    nodeName: valueOf(env, "NODE_NAME") ?? "unknown",
    podIP: valueOf(env, "POD_IP") ?? "unknown",
    backendUrl,
    version: valueOf(env, "APP_VERSION") ?? "dev",
    shutdownGraceMs: parseInteger(
      "SHUTDOWN_GRACE_MS",
      valueOf(env, "SHUTDOWN_GRACE_MS"),
      DEFAULT_SHUTDOWN_GRACE_MS,
      0,
      MAX_SHUTDOWN_GRACE_MS,
    ),
    probeTokenFile: role === "probe" ? requireTokenFile(valueOf(env, "PROBE_TOKEN_FILE")) : null,
  });
}

/**
 * Why a probe agent without PROBE_TOKEN_FILE does not start: `/dial` and
 * `/resolve` make the pod send requests for its caller, and without a token
 * that caller is anyone who reaches the pod (any pod in a shared cluster).
 */
export const MISSING_PROBE_TOKEN_FILE =
  `ROLE=probe needs PROBE_TOKEN_FILE, the path of a file holding the probe token (at least ${MIN_TOKEN_LENGTH} characters) ` +
  `that callers of /dial and /resolve must send in the ${PROBE_TOKEN_HEADER} header; it is unset, and an agent without it would relay for anyone`;

function requireTokenFile(raw: string | undefined): string {
  if (raw === undefined) throw new ConfigError(MISSING_PROBE_TOKEN_FILE);
  return raw;
}

function valueOf(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function parseRole(raw: string | undefined): Role {
  const value = raw ?? "backend";
  const role = ROLES.find((candidate) => candidate === value);
  if (role === undefined) {
    throw new ConfigError(`ROLE is "${value}"; allowed: ${ROLES.join(", ")}`);
  }
  return role;
}

function parseInteger(key: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} is "${raw}"; allowed: an integer from ${min} to ${max}`);
  }
  return value;
}

function parseBackendUrl(raw: string | undefined): string {
  const value = raw ?? "http://backend";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`BACKEND_URL is "${value}"; allowed: an absolute http:// or https:// URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`BACKEND_URL is "${value}"; allowed: an absolute http:// or https:// URL`);
  }
  return url.toString();
}
