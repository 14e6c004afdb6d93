/**
 * kube-proxy's version, read from its DaemonSet's image tag, decides whether a
 * Service whose pods are all terminating is sent to those still serving
 * (kube-proxy 1.26+) or refused (before 1.26).
 */
import type * as k8s from "@kubernetes/client-node";
import { dataPlaneFromKubeSystem, dataPlaneNote, dataPlaneOf, detectDataPlane, kubeProxyVersionOf, type KubeSystemReads } from "../../verifier/data-plane";

function kubeProxy(image: string): k8s.V1DaemonSet {
  return {
    metadata: { name: "kube-proxy", namespace: "kube-system" },
    spec: { selector: {}, template: { spec: { containers: [{ name: "kube-proxy", image, command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"] }] } } },
  };
}

const CONFIG: k8s.V1ConfigMap = {
  metadata: { name: "kube-proxy", namespace: "kube-system" },
  data: { "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\n" },
};

describe("kube-proxy's version and the fallback to serving-but-terminating endpoints", () => {
  test.each([
    ["registry.k8s.io/kube-proxy:v1.34.0", "v1.34.0"],
    ["registry.k8s.io/kube-proxy:v1.24.2", "v1.24.2"],
    ["602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.29.0-minimal-eksbuild.1", "v1.29.0-minimal-eksbuild.1"],
    ["localhost:5000/kube-proxy:v1.28.3@sha256:0123", "v1.28.3"],
    ["registry.k8s.io/kube-proxy@sha256:0123", undefined],
    ["registry.k8s.io/kube-proxy:latest", undefined],
  ])("image %s → version %s", (image, version) => {
    expect(kubeProxyVersionOf(kubeProxy(image))).toBe(version);
  });

  test.each([
    ["v1.34.0", "yes"],
    ["v1.26.0", "yes"],
    ["v1.25.9", "no"],
    ["v1.24.2", "no"],
  ])("kube-proxy %s in iptables mode: fallback %s", (tag, fallback) => {
    const dataPlane = dataPlaneFromKubeSystem({
      kind: "read",
      kubeProxyDaemonSet: kubeProxy(`registry.k8s.io/kube-proxy:${tag}`),
      kubeProxyConfigMaps: [CONFIG],
      ciliumDaemonSet: undefined,
      ciliumConfigMap: undefined,
    });
    expect(dataPlane).toMatchObject({ profile: "iptables", kubeProxyVersion: tag, terminatingFallback: fallback });
    expect(dataPlane.evidence).toContain(`image tag ${tag}`);
  });

  test("nftables falls back whatever the tag (the mode came after the fallback); Cilium, other and unknown are unknown", () => {
    expect(dataPlaneOf("nftables", "stated", "stated").terminatingFallback).toBe("yes");
    expect(dataPlaneOf("ipvs", "stated", "stated").terminatingFallback).toBe("unknown");
    expect(dataPlaneOf("cilium", "detected", "x", "v1.34.0")).toMatchObject({ terminatingFallback: "unknown" });
    expect(dataPlaneOf("cilium", "detected", "x", "v1.34.0").kubeProxyVersion).toBeUndefined();
    expect(dataPlaneOf("unknown", "unknown", "x").terminatingFallback).toBe("unknown");
  });

  test("a stated kube-proxy mode still takes the version from the DaemonSet", async () => {
    const reads: KubeSystemReads = {
      daemonSet: async (_ns, name) => (name === "kube-proxy" ? kubeProxy("registry.k8s.io/kube-proxy:v1.24.2") : undefined),
      configMap: async (_ns, name) => (name === "kube-proxy" ? CONFIG : undefined),
    };
    const { dataPlane } = await detectDataPlane(reads, "ipvs");
    expect(dataPlane).toMatchObject({ profile: "ipvs", source: "stated", kubeProxyVersion: "v1.24.2", terminatingFallback: "no" });
  });

  test("the report's data-plane note says what happens to terminating pods", () => {
    expect(dataPlaneNote(dataPlaneOf("iptables", "detected", "DaemonSet", "v1.34.0"))).toMatch(
      /; kube-proxy v1\.34\.0 \(1\.26\+\) sends to serving-but-terminating pods when no ready pod is left$/,
    );
    expect(dataPlaneNote(dataPlaneOf("iptables", "detected", "DaemonSet", "v1.24.2"))).toMatch(/kube-proxy v1\.24\.2 \(before 1\.26\) does not send/);
  });
});
