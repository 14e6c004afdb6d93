/**
 * `verify()` options: the public shape, the defaults, and the validation that
 * turns bad values into one-line {@link VerifyOptionError}s.
 */
import { API_PROXY_PER_NODE, type ApiProxyMax } from "./api-proxy-budget";
import { DATA_PLANE_PROFILES, type DataPlaneProfile } from "./data-plane";
import { VerifyOptionError } from "./errors";
import type { RunProgram } from "./explain/sources";
import type { ProgressEvent } from "./run";

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Path to a kubeconfig file. Default: as kubectl resolves it (`$KUBECONFIG`, then `~/.kube/config`). */
  readonly kubeconfig?: string;
  /** Kubeconfig context. Default: the file's `current-context`. */
  readonly context?: string;
  /** Namespace holding the Services and the probe agents. Default `svclab`. */
  readonly namespace?: string;
  /** Label selector restricting which Services are verified. Default: every Service in the namespace. */
  readonly selector?: string;
  /** Run only probes whose id matches. */
  readonly only?: RegExp;
  /** Leave out probes whose id matches (applied after `only`). */
  readonly skip?: RegExp;
  /** Bound on each attempt, connect included, in ms (50–60000). Default 1500. */
  readonly timeoutMs?: number;
  /** Readiness deadline from the start of the run, in ms (0–3600000): discovery waits and "yes" probes retry until it. Default 60000. */
  readonly deadlineMs?: number;
  /** Distinct requests in flight at once (1–256); probes sharing a request count once. Default 32. */
  readonly concurrency?: number;
  /** Requests sent by the spread and session-affinity checks (2–100). Default 30. */
  readonly spreadRequests?: number;
  /**
   * The most Services probed through the API server's service proxy in one
   * run (an integer ≥ 1), or `"all"` for no bound. Every distinct Service
   * shape is probed first; the API-proxy probes of the Services left out are
   * reported skipped with the reason. Default: 8 × the nodes discovered, so a
   * node adds at most 8 Services' proxy GETs to its one agent batch (issue
   * #13: ≤ 10 API requests per node per run) and the lab's 8 Services are all
   * probed even on one node.
   */
  readonly apiProxyMax?: ApiProxyMax;
  /** Cluster DNS domain (kubelet `clusterDomain`). Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** Treat node IPs as unreachable and try node ports on 127.0.0.1 instead. Default: only on a non-Linux host whose API server is on loopback. */
  readonly outsideViaLocalhost?: boolean;
  /**
   * What implements Services, when detection from kube-system cannot tell
   * (or to override it): `iptables`, `nftables`, `ipvs` (kube-proxy modes),
   * `cilium`, `other`. Default: detected.
   */
  readonly dataPlane?: DataPlaneProfile;
  /** Pod and cluster IPs answering from outside are failures even where the network routes pod IPs. Default false. */
  readonly expectIsolated?: boolean;
  /**
   * Read each node's kube-proxy rules during the run (on kind: `docker exec
   * <node> iptables-save`, or `nft list ruleset`) and record every Service's
   * explanation in the report (`explanations`). Rules that cannot be read are
   * recorded with the reason; verdicts and the exit code never depend on them.
   * Default false.
   */
  readonly explain?: boolean;
  /** With `explain`: runs `docker exec <node> …` to read the rules. Default: the `docker` on PATH. */
  readonly explainRun?: RunProgram;
  /** Called with progress while discovering and probing. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Options with every default filled in. */
export interface ResolvedVerifyOptions {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly namespace: string;
  readonly selector: string | undefined;
  readonly only: RegExp | undefined;
  readonly skip: RegExp | undefined;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly concurrency: number;
  readonly spreadRequests: number;
  /** `undefined`: the default, known once the nodes are discovered. */
  readonly apiProxyMax: ApiProxyMax | undefined;
  readonly clusterDomain: string;
  readonly outsideViaLocalhost: boolean;
  readonly dataPlane: DataPlaneProfile | undefined;
  readonly expectIsolated: boolean;
  readonly explain: boolean;
  readonly explainRun: RunProgram | undefined;
  readonly onProgress: ((event: ProgressEvent) => void) | undefined;
}

/** Defaults and allowed ranges, shared with the CLI's help text. */
export const LIMITS = {
  timeoutMs: { default: 1500, min: 50, max: 60000 },
  deadlineMs: { default: 60000, min: 0, max: 3600000 },
  concurrency: { default: 32, min: 1, max: 256 },
  spreadRequests: { default: 30, min: 2, max: 100 },
  /** No upper bound: `"all"` is the way to ask for every Service. */
  apiProxyMax: { defaultPerNode: API_PROXY_PER_NODE, min: 1 },
} as const;

export const DEFAULT_NAMESPACE = "svclab";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/** An RFC 1123 label, as Kubernetes requires of namespace names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function integerIn(option: string, value: number | undefined, limits: { default: number; min: number; max: number }): number {
  const resolved = value ?? limits.default;
  if (!Number.isInteger(resolved) || resolved < limits.min || resolved > limits.max) {
    throw new VerifyOptionError(option, value, `an integer from ${limits.min} to ${limits.max} is allowed`);
  }
  return resolved;
}

function apiProxyMaxOf(value: ApiProxyMax | undefined): ApiProxyMax | undefined {
  if (value === undefined || value === "all") return value;
  if (!Number.isInteger(value) || value < LIMITS.apiProxyMax.min) {
    throw new VerifyOptionError(
      "apiProxyMax",
      value,
      `an integer from ${LIMITS.apiProxyMax.min} up, or "all" for no bound, is allowed (default ${LIMITS.apiProxyMax.defaultPerNode} per node)`,
    );
  }
  return value;
}

/** Fills defaults and validates. @throws VerifyOptionError naming the option, the value and what is allowed */
export function resolveOptions(options: VerifyOptions): ResolvedVerifyOptions {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!DNS_LABEL.test(namespace)) {
    throw new VerifyOptionError("namespace", namespace, "a Kubernetes namespace name (lower-case letters, digits and '-', at most 63) is allowed");
  }
  const clusterDomain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  if (!DNS_SUBDOMAIN.test(clusterDomain)) {
    throw new VerifyOptionError("clusterDomain", clusterDomain, "a DNS domain such as cluster.local is allowed");
  }
  if (options.selector !== undefined && options.selector.trim() === "") {
    throw new VerifyOptionError("selector", options.selector, "a non-empty label selector such as app.kubernetes.io/part-of=svclab is allowed");
  }
  if (options.dataPlane !== undefined && !(DATA_PLANE_PROFILES as readonly string[]).includes(options.dataPlane)) {
    throw new VerifyOptionError("dataPlane", options.dataPlane, `one of ${DATA_PLANE_PROFILES.join(", ")} is allowed`);
  }
  return {
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace,
    selector: options.selector,
    only: options.only,
    skip: options.skip,
    timeoutMs: integerIn("timeoutMs", options.timeoutMs, LIMITS.timeoutMs),
    deadlineMs: integerIn("deadlineMs", options.deadlineMs, LIMITS.deadlineMs),
    concurrency: integerIn("concurrency", options.concurrency, LIMITS.concurrency),
    spreadRequests: integerIn("spreadRequests", options.spreadRequests, LIMITS.spreadRequests),
    apiProxyMax: apiProxyMaxOf(options.apiProxyMax),
    clusterDomain,
    outsideViaLocalhost: options.outsideViaLocalhost ?? false,
    dataPlane: options.dataPlane,
    expectIsolated: options.expectIsolated ?? false,
    explain: options.explain ?? false,
    explainRun: options.explainRun,
    onProgress: options.onProgress,
  };
}
