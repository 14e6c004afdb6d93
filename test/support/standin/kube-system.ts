/**
 * What the stand-in's kube-system shows of its Service implementation, as
 * the real installers write it: kubeadm's (and so kind's) `kube-proxy`
 * DaemonSet and ConfigMap (`config.conf`, a KubeProxyConfiguration), or
 * Cilium's DaemonSet and `cilium-config` ConfigMap with kube-proxy replaced,
 * or nothing (k3s runs kube-proxy inside its own binary).
 * https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/
 */

/** The stand-in's data plane: what kube-system shows and how Services without endpoints behave. */
export type StandinDataPlane =
  /**
   * kube-proxy in `mode`, named in the ConfigMap (`""` is kube-proxy's default, iptables) or by a `--proxy-mode` flag;
   * `version` is its image tag (default {@link DEFAULT_KUBE_PROXY_VERSION}): from v1.26 on, a Service whose endpoints
   * are all terminating is sent to those still serving instead of refused.
   */
  | { readonly kind: "kube-proxy"; readonly mode: "" | "iptables" | "nftables" | "ipvs"; readonly shownBy: "configmap" | "flag"; readonly version?: string }
  /** Cilium replacing kube-proxy; it drops connections to a Service without endpoints (no answer, a timeout). */
  | { readonly kind: "cilium" }
  /** Nothing in kube-system names the data plane (as on k3s); Services behave as a current kube-proxy in iptables mode. */
  | { readonly kind: "hidden" };

/** The kube-proxy version a kind v0.30 node image runs. */
export const DEFAULT_KUBE_PROXY_VERSION = "v1.34.0";

/**
 * True when the data plane sends to serving-but-terminating endpoints once no
 * ready one is left: kube-proxy from v1.26 (and "hidden", a current k3s);
 * the stand-in's Cilium drops instead.
 * https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-to-terminating-endpoints
 */
export function fallsBackToTerminating(dataPlane: StandinDataPlane): boolean {
  if (dataPlane.kind === "hidden") return true;
  if (dataPlane.kind !== "kube-proxy") return false;
  const match = /^v(\d+)\.(\d+)/.exec(dataPlane.version ?? DEFAULT_KUBE_PROXY_VERSION);
  if (match === null) throw new Error(`dataPlane.version: got "${dataPlane.version}"; allowed: a kube-proxy image tag such as v1.34.0`);
  return Number(match[1]) > 1 || Number(match[2]) >= 26;
}

/** kind's default. */
export const KIND_DATA_PLANE: StandinDataPlane = { kind: "kube-proxy", mode: "iptables", shownBy: "configmap" };

/** True when the data plane drops, rather than rejects, connections to a Service without ready endpoints. */
export function dropsWithoutEndpoints(dataPlane: StandinDataPlane): boolean {
  return dataPlane.kind === "cilium";
}

interface Named {
  readonly name: string;
  readonly object: Record<string, any>;
}

const meta = (name: string, labels: Record<string, string>) => ({
  name,
  namespace: "kube-system",
  uid: `00000000-0000-4000-8000-${name.padEnd(12, "0").slice(0, 12).replace(/[^0-9a-f]/g, "0")}`,
  resourceVersion: "1",
  creationTimestamp: "2025-01-01T00:00:00Z",
  labels,
});

function kubeProxyConfig(mode: string): string {
  return [
    "apiVersion: kubeproxy.config.k8s.io/v1alpha1",
    "bindAddress: 0.0.0.0",
    "clusterCIDR: 10.244.0.0/16",
    "conntrack:",
    "  maxPerCore: 0",
    "iptables:",
    "  masqueradeAll: false",
    "  syncPeriod: 0s",
    "kind: KubeProxyConfiguration",
    `mode: ${mode === "" ? '""' : mode}`,
    "",
  ].join("\n");
}

/** The kube-system ConfigMaps of this data plane. */
export function kubeSystemConfigMaps(dataPlane: StandinDataPlane): Named[] {
  if (dataPlane.kind === "kube-proxy") {
    const mode = dataPlane.shownBy === "configmap" ? dataPlane.mode : "";
    return [{
      name: "kube-proxy",
      object: {
        metadata: meta("kube-proxy", { app: "kube-proxy" }),
        data: { "config.conf": kubeProxyConfig(mode), "kubeconfig.conf": "apiVersion: v1\nkind: Config\n" },
      },
    }];
  }
  if (dataPlane.kind === "cilium") {
    return [{
      name: "cilium-config",
      object: {
        metadata: meta("cilium-config", { "app.kubernetes.io/part-of": "cilium" }),
        data: { "kube-proxy-replacement": "true", "routing-mode": "tunnel", "tunnel-protocol": "vxlan", "enable-ipv4": "true" },
      },
    }];
  }
  return [];
}

/** The kube-system DaemonSets of this data plane. */
export function kubeSystemDaemonSets(dataPlane: StandinDataPlane): Named[] {
  if (dataPlane.kind === "kube-proxy") {
    const flags = dataPlane.shownBy === "flag" ? [`--proxy-mode=${dataPlane.mode}`] : [];
    return [{
      name: "kube-proxy",
      object: daemonSet("kube-proxy", { "k8s-app": "kube-proxy" }, {
        name: "kube-proxy",
        image: `registry.k8s.io/kube-proxy:${dataPlane.version ?? DEFAULT_KUBE_PROXY_VERSION}`,
        command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)", ...flags],
      }),
    }];
  }
  if (dataPlane.kind === "cilium") {
    return [{
      name: "cilium",
      object: daemonSet("cilium", { "k8s-app": "cilium" }, {
        name: "cilium-agent",
        image: "quay.io/cilium/cilium:v1.18.0",
        command: ["cilium-agent"],
        args: ["--config-dir=/tmp/cilium/config-map"],
      }),
    }];
  }
  return [];
}

function daemonSet(name: string, labels: Record<string, string>, container: Record<string, unknown>): Record<string, any> {
  return {
    metadata: meta(name, labels),
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { hostNetwork: true, containers: [container] } },
    },
    status: { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberReady: 3, numberMisscheduled: 0 },
  };
}
