/**
 * What implements Services on this cluster: kube-proxy and its mode, or a
 * replacement such as Cilium. Read from kube-system (the `kube-proxy`
 * DaemonSet's flags and ConfigMap, a replacement's DaemonSet and ConfigMap)
 * or stated by the user (`--data-plane`). The planner's expectations follow
 * it where the rules depend on the data plane (see `basis` in rules.ts).
 *
 * https://kubernetes.io/docs/reference/networking/virtual-ips/
 * https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/
 */
import type * as k8s from "@kubernetes/client-node";
import { parse } from "yaml";
import { KubeApiError } from "./errors";

/** Profiles a user can state with `--data-plane`. */
export const DATA_PLANE_PROFILES = ["iptables", "nftables", "ipvs", "cilium", "other"] as const;
export type DataPlaneProfile = (typeof DATA_PLANE_PROFILES)[number];

/** kube-proxy's modes on Linux. */
const KUBE_PROXY_MODES = ["iptables", "nftables", "ipvs"] as const;
type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

/** The data plane as the report records it. */
export interface DataPlaneInfo {
  /** What implements Services. */
  readonly implementation: "kube-proxy" | "cilium" | "other" | "unknown";
  /** `iptables`, `nftables`, `ipvs`, `cilium`, `other`, or `unknown` when neither detection nor the user could tell. */
  readonly profile: DataPlaneProfile | "unknown";
  /** How it was known: `stated` (`--data-plane`), `detected` (read from kube-system), or `unknown`. */
  readonly source: "stated" | "detected" | "unknown";
  /** What was seen, in one line: the object and field read, or why nothing could be read. */
  readonly evidence: string;
  /**
   * What a connection to a Service with no ready endpoints gets: `refused`
   * where the data plane REJECTs (kube-proxy iptables and nftables), else only
   * `no-answer` is expected (refused or dropped: no pod answers).
   */
  readonly noEndpoints: "refused" | "no-answer";
  /** kube-proxy's version, from the image tag of DaemonSet kube-system/kube-proxy (e.g. `v1.34.0`), when it could be read. */
  readonly kubeProxyVersion?: string;
  /**
   * Whether a Service with no ready endpoints is sent to its serving-but-terminating
   * ones: `yes` for kube-proxy 1.26+ (ProxyTerminatingEndpoints, on by default
   * since 1.26, GA in 1.28; nftables mode exists only since 1.29), `no` for
   * kube-proxy before 1.26, `unknown` when the version or the implementation
   * is not known (Cilium, other, unknown). Absent in reports saved before it
   * was recorded. https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-to-terminating-endpoints
   */
  readonly terminatingFallback?: "yes" | "no" | "unknown";
}

/** The first kube-proxy minor version that falls back to serving-but-terminating endpoints by default. */
export const TERMINATING_FALLBACK_SINCE = { major: 1, minor: 26 } as const;

/** The kube-system reads detection needs; each returns `undefined` when the object does not exist. */
export interface KubeSystemReads {
  configMap(namespace: string, name: string): Promise<k8s.V1ConfigMap | undefined>;
  daemonSet(namespace: string, name: string): Promise<k8s.V1DaemonSet | undefined>;
}

const KUBE_SYSTEM = "kube-system";

/** The words for a profile, e.g. `kube-proxy (iptables mode)`. */
export function describeProfile(profile: DataPlaneProfile | "unknown"): string {
  switch (profile) {
    case "iptables":
    case "nftables":
    case "ipvs":
      return `kube-proxy (${profile} mode)`;
    case "cilium":
      return "Cilium (kube-proxy replacement)";
    case "other":
      return "a Service implementation other than kube-proxy";
    case "unknown":
      return "unknown";
  }
}

/**
 * The data plane of a profile; only kube-proxy's iptables and nftables modes
 * promise a refusal. `kubeProxyVersion` (kube-proxy modes only) decides the
 * fallback to serving-but-terminating endpoints.
 */
export function dataPlaneOf(
  profile: DataPlaneProfile | "unknown",
  source: DataPlaneInfo["source"],
  evidence: string,
  kubeProxyVersion?: string,
): DataPlaneInfo {
  const implementation =
    profile === "unknown" ? "unknown" : profile === "cilium" ? "cilium" : profile === "other" ? "other" : "kube-proxy";
  const version = implementation === "kube-proxy" ? kubeProxyVersion : undefined;
  return {
    implementation,
    profile,
    source,
    evidence,
    noEndpoints: profile === "iptables" || profile === "nftables" ? "refused" : "no-answer",
    ...(version !== undefined ? { kubeProxyVersion: version } : {}),
    terminatingFallback: terminatingFallbackOf(profile, version),
  };
}

/** `major.minor` of a version such as `v1.28.3` or `v1.28.3-eksbuild.1`. */
function minorOf(version: string): { major: number; minor: number } | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) };
}

function terminatingFallbackOf(profile: DataPlaneProfile | "unknown", version: string | undefined): "yes" | "no" | "unknown" {
  // nftables mode came in kube-proxy 1.29, after the fallback (1.26).
  if (profile === "nftables") return "yes";
  if (profile !== "iptables" && profile !== "ipvs") return "unknown";
  const parsed = version === undefined ? undefined : minorOf(version);
  if (parsed === undefined) return "unknown";
  const since = TERMINATING_FALLBACK_SINCE;
  return parsed.major > since.major || (parsed.major === since.major && parsed.minor >= since.minor) ? "yes" : "no";
}

/**
 * kube-proxy's version from its DaemonSet's image tag
 * (`registry.k8s.io/kube-proxy:v1.34.0`, EKS `…/kube-proxy:v1.29.0-minimal-eksbuild.1`),
 * or undefined when no tag names one (a digest, `latest`).
 */
export function kubeProxyVersionOf(daemonSet: k8s.V1DaemonSet | undefined): string | undefined {
  for (const container of daemonSet?.spec?.template.spec?.containers ?? []) {
    const image = (container.image ?? "").split("@")[0] as string;
    const name = image.slice(image.lastIndexOf("/") + 1);
    const tag = name.includes(":") ? name.slice(name.indexOf(":") + 1) : "";
    if (!name.startsWith("kube-proxy") && container.name !== "kube-proxy") continue;
    if (minorOf(tag) !== undefined) return tag;
  }
  return undefined;
}

/** How to state the data plane, for messages. */
export const HOW_TO_STATE = `state it with --data-plane ${DATA_PLANE_PROFILES.join("|")}`;

/** What kube-system shows, or why it could not be read. */
export type KubeSystemView =
  | {
      readonly kind: "read";
      readonly kubeProxyDaemonSet: k8s.V1DaemonSet | undefined;
      /** `kube-proxy` (kubeadm, kind: key `config.conf`) or `kube-proxy-config` (EKS: key `config`). */
      readonly kubeProxyConfigMaps: readonly k8s.V1ConfigMap[];
      readonly ciliumDaemonSet: k8s.V1DaemonSet | undefined;
      readonly ciliumConfigMap: k8s.V1ConfigMap | undefined;
    }
  | { readonly kind: "unreadable"; readonly error: KubeApiError };

/** Reads what detection needs from kube-system; a refusal (RBAC) or other API error is returned, not thrown. */
export async function readKubeSystem(reads: KubeSystemReads): Promise<KubeSystemView> {
  try {
    const [kubeProxyDaemonSet, kubeadmConfig, eksConfig, ciliumDaemonSet, ciliumConfigMap] = await Promise.all([
      reads.daemonSet(KUBE_SYSTEM, "kube-proxy"),
      reads.configMap(KUBE_SYSTEM, "kube-proxy"),
      reads.configMap(KUBE_SYSTEM, "kube-proxy-config"),
      reads.daemonSet(KUBE_SYSTEM, "cilium"),
      reads.configMap(KUBE_SYSTEM, "cilium-config"),
    ]);
    const kubeProxyConfigMaps = [kubeadmConfig, eksConfig].filter((c): c is k8s.V1ConfigMap => c !== undefined);
    return { kind: "read", kubeProxyDaemonSet, kubeProxyConfigMaps, ciliumDaemonSet, ciliumConfigMap };
  } catch (err) {
    if (err instanceof KubeApiError) return { kind: "unreadable", error: err };
    throw err;
  }
}

/** `--proxy-mode` from a kube-proxy container's command and args, if set. */
function proxyModeFlag(daemonSet: k8s.V1DaemonSet): string | undefined {
  for (const container of daemonSet.spec?.template.spec?.containers ?? []) {
    const words = [...(container.command ?? []), ...(container.args ?? [])];
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      if (word.startsWith("--proxy-mode=")) return word.slice("--proxy-mode=".length);
      if (word === "--proxy-mode") return words[i + 1];
    }
  }
  return undefined;
}

/** `mode` of a kube-proxy configuration file held in a ConfigMap, with the key it came from. */
function configuredMode(configMap: k8s.V1ConfigMap): { key: string; mode: string } | undefined {
  for (const key of ["config.conf", "config"]) {
    const text = configMap.data?.[key];
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch {
      continue;
    }
    const mode = (parsed as { mode?: unknown } | null)?.mode;
    return { key, mode: typeof mode === "string" ? mode : "" };
  }
  return undefined;
}

/** kube-proxy's mode as a profile: an empty mode is kube-proxy's default, iptables on Linux. */
function kubeProxyProfile(mode: string): DataPlaneProfile | "unknown" {
  if (mode === "") return "iptables";
  return (KUBE_PROXY_MODES as readonly string[]).includes(mode) ? (mode as KubeProxyMode) : "unknown";
}

function modeWords(mode: string): string {
  return mode === "" ? `mode "" (kube-proxy's default: iptables on Linux)` : `mode "${mode}"`;
}

/** True when Cilium's config says it replaces kube-proxy. */
function ciliumReplacesKubeProxy(configMap: k8s.V1ConfigMap | undefined): boolean {
  const value = configMap?.data?.["kube-proxy-replacement"];
  return value === "true" || value === "strict";
}

/** The data plane kube-system shows. Pure. */
export function dataPlaneFromKubeSystem(view: KubeSystemView): DataPlaneInfo {
  if (view.kind === "unreadable") {
    const status = view.error.status;
    const denied = status === 401 || status === 403;
    const why = denied
      ? `reading kube-system was refused (${view.error.message}); grant get on daemonsets and configmaps in kube-system, or ${HOW_TO_STATE}`
      : `kube-system could not be read (${view.error.message}); ${HOW_TO_STATE}`;
    return dataPlaneOf("unknown", "unknown", why);
  }
  const ciliumConfig = view.ciliumConfigMap;
  if (view.ciliumDaemonSet !== undefined && (view.kubeProxyDaemonSet === undefined || ciliumReplacesKubeProxy(ciliumConfig))) {
    const replacement = ciliumConfig?.data?.["kube-proxy-replacement"];
    const detail = view.kubeProxyDaemonSet === undefined
      ? "no kube-proxy DaemonSet"
      : "a kube-proxy DaemonSet too, but Cilium replaces it";
    return dataPlaneOf(
      "cilium",
      "detected",
      `DaemonSet kube-system/cilium${replacement !== undefined ? `, ConfigMap kube-system/cilium-config kube-proxy-replacement: "${replacement}"` : ""}; ${detail}`,
    );
  }
  const daemonSet = view.kubeProxyDaemonSet;
  const version = kubeProxyVersionOf(daemonSet);
  const versionWords = version !== undefined ? `, image tag ${version}` : "";
  const flag = daemonSet === undefined ? undefined : proxyModeFlag(daemonSet);
  if (flag !== undefined) {
    const profile = kubeProxyProfile(flag);
    const known = profile === "unknown" ? `; mode "${flag}" is not one the verifier knows, ${HOW_TO_STATE}` : "";
    return dataPlaneOf(profile, profile === "unknown" ? "unknown" : "detected", `DaemonSet kube-system/kube-proxy runs with --proxy-mode=${flag}${versionWords}${known}`, version);
  }
  for (const configMap of view.kubeProxyConfigMaps) {
    const configured = configuredMode(configMap);
    if (configured === undefined) continue;
    const profile = kubeProxyProfile(configured.mode);
    const where = `ConfigMap kube-system/${configMap.metadata?.name ?? "kube-proxy"} ${configured.key} ${modeWords(configured.mode)}`;
    const running = daemonSet !== undefined ? `; DaemonSet kube-system/kube-proxy${versionWords}` : "";
    const known = profile === "unknown" ? `; not a mode the verifier knows, ${HOW_TO_STATE}` : "";
    return dataPlaneOf(profile, profile === "unknown" ? "unknown" : "detected", `${where}${running}${known}`, version);
  }
  if (daemonSet !== undefined) {
    return dataPlaneOf("unknown", "unknown", `DaemonSet kube-system/kube-proxy runs, but neither its flags nor a kube-proxy ConfigMap name the mode; ${HOW_TO_STATE}`);
  }
  return dataPlaneOf(
    "unknown",
    "unknown",
    `kube-system has no kube-proxy DaemonSet or ConfigMap and no Cilium (k3s runs kube-proxy inside its own binary); ${HOW_TO_STATE}`,
  );
}

/**
 * The data plane for a run: the user's statement when given (detection is
 * still read, to say when the two disagree), else what kube-system shows.
 * Never throws for an API error: an unreadable kube-system is "unknown".
 */
export async function detectDataPlane(
  reads: KubeSystemReads,
  stated: DataPlaneProfile | undefined,
): Promise<{ dataPlane: DataPlaneInfo; notes: string[] }> {
  const view = await readKubeSystem(reads);
  const detected = dataPlaneFromKubeSystem(view);
  if (stated === undefined) return { dataPlane: detected, notes: [] };
  // A stated kube-proxy mode still takes kube-proxy's version from its DaemonSet, when there is one.
  const version = view.kind === "read" ? kubeProxyVersionOf(view.kubeProxyDaemonSet) : undefined;
  const dataPlane = dataPlaneOf(stated, "stated", `stated with --data-plane ${stated}${version !== undefined ? `; kube-proxy image tag ${version}` : ""}`, version);
  const disagree = detected.profile !== "unknown" && detected.profile !== stated;
  const notes = disagree
    ? [`--data-plane ${stated} was stated, but kube-system shows ${describeProfile(detected.profile)} (${detected.evidence}); the stated profile is used`]
    : [];
  return { dataPlane, notes };
}

/** One line for the report's notes: what implements Services and how that is known. */
export function dataPlaneNote(dataPlane: DataPlaneInfo): string {
  const expectation = dataPlane.noEndpoints === "refused"
    ? "a Service without ready pods must refuse"
    : "a Service without ready pods must not be answered (refused or dropped)";
  return `data plane: ${describeProfile(dataPlane.profile)} — ${dataPlane.source}: ${dataPlane.evidence}; ${expectation}; ${fallbackWords(dataPlane)}`;
}

/** What happens to a Service whose pods are all terminating, in words. */
export function fallbackWords(dataPlane: DataPlaneInfo | undefined, fallback = dataPlane?.terminatingFallback ?? "unknown"): string {
  const version = dataPlane?.kubeProxyVersion !== undefined ? `kube-proxy ${dataPlane.kubeProxyVersion}` : "kube-proxy";
  const since = `${TERMINATING_FALLBACK_SINCE.major}.${TERMINATING_FALLBACK_SINCE.minor}`;
  switch (fallback) {
    case "yes":
      return dataPlane?.profile === "nftables" && dataPlane.kubeProxyVersion === undefined
        ? `kube-proxy in nftables mode (1.29+) sends to serving-but-terminating pods when no ready pod is left`
        : `${version} (${since}+) sends to serving-but-terminating pods when no ready pod is left`;
    case "no":
      return `${version} (before ${since}) does not send to serving-but-terminating pods`;
    case "unknown":
      return `whether serving-but-terminating pods are used when no ready pod is left is unknown (kube-proxy ${since}+ does; its version could not be read), so either they answer or none does`;
  }
}
