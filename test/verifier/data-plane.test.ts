/**
 * Data-plane detection from kube-system objects shaped as kubeadm/kind, EKS
 * and Cilium write them, and what each data plane makes the planner expect.
 */
import type * as k8s from "@kubernetes/client-node";
import { dataPlaneFromKubeSystem, dataPlaneOf, detectDataPlane, type KubeSystemReads, type KubeSystemView } from "../../verifier/data-plane";
import { KubeApiError } from "../../verifier/errors";
import { resolveOptions } from "../../verifier/options";
import { planProbes } from "../../verifier/plan";
import { RULES } from "../../verifier/rules";
import { cluster, PLAN_DEFAULTS, service, state } from "./fixtures";

function configMap(name: string, data: Record<string, string>): k8s.V1ConfigMap {
  return { metadata: { name, namespace: "kube-system" }, data };
}

function daemonSet(name: string, command: string[], args: string[] = []): k8s.V1DaemonSet {
  return {
    metadata: { name, namespace: "kube-system" },
    spec: { selector: {}, template: { spec: { containers: [{ name, command, args }] } } },
  };
}

/** kubeadm (and kind) write the mode into config.conf of the kube-proxy ConfigMap. */
function kubeadmConfigMap(mode: string): k8s.V1ConfigMap {
  return configMap("kube-proxy", {
    "config.conf": `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16\nmode: ${mode}\n`,
    "kubeconfig.conf": "apiVersion: v1\nkind: Config\n",
  });
}

const KUBEADM_DS = daemonSet("kube-proxy", ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"]);
const CILIUM_DS = daemonSet("cilium", ["cilium-agent"], ["--config-dir=/tmp/cilium/config-map"]);

function view(parts: Partial<Extract<KubeSystemView, { kind: "read" }>>): KubeSystemView {
  return { kind: "read", kubeProxyDaemonSet: undefined, kubeProxyConfigMaps: [], ciliumDaemonSet: undefined, ciliumConfigMap: undefined, ...parts };
}

describe("what implements Services, read from kube-system", () => {
  test.each([
    ["kind: ConfigMap mode iptables", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [kubeadmConfigMap("iptables")] }), "iptables", /ConfigMap kube-system\/kube-proxy config.conf mode "iptables"/],
    ["kubeadm default: mode \"\" is iptables", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [kubeadmConfigMap('""')] }), "iptables", /mode "" \(kube-proxy's default: iptables on Linux\)/],
    ["nftables in the ConfigMap", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [kubeadmConfigMap("nftables")] }), "nftables", /mode "nftables"/],
    ["ipvs by the DaemonSet's flag, over the ConfigMap", view({ kubeProxyDaemonSet: daemonSet("kube-proxy", ["kube-proxy", "--proxy-mode=ipvs"]), kubeProxyConfigMaps: [kubeadmConfigMap("iptables")] }), "ipvs", /--proxy-mode=ipvs/],
    ["a --proxy-mode flag in two words", view({ kubeProxyDaemonSet: daemonSet("kube-proxy", ["kube-proxy"], ["--proxy-mode", "nftables"]) }), "nftables", /--proxy-mode=nftables/],
    ["EKS: kube-proxy-config ConfigMap, key config", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [configMap("kube-proxy-config", { config: "kind: KubeProxyConfiguration\nmode: \"iptables\"\n" })] }), "iptables", /ConfigMap kube-system\/kube-proxy-config config mode "iptables"/],
    ["Cilium without kube-proxy", view({ ciliumDaemonSet: CILIUM_DS, ciliumConfigMap: configMap("cilium-config", { "kube-proxy-replacement": "true" }) }), "cilium", /DaemonSet kube-system\/cilium.*kube-proxy-replacement: "true"; no kube-proxy DaemonSet/],
    ["Cilium replacing a kube-proxy that still runs", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [kubeadmConfigMap("iptables")], ciliumDaemonSet: CILIUM_DS, ciliumConfigMap: configMap("cilium-config", { "kube-proxy-replacement": "true" }) }), "cilium", /Cilium replaces it/],
    ["Cilium as CNI only, kube-proxy does Services", view({ kubeProxyDaemonSet: KUBEADM_DS, kubeProxyConfigMaps: [kubeadmConfigMap("iptables")], ciliumDaemonSet: CILIUM_DS, ciliumConfigMap: configMap("cilium-config", { "kube-proxy-replacement": "false" }) }), "iptables", /mode "iptables"/],
  ])("%s", (_name, seen, profile, evidence) => {
    const dataPlane = dataPlaneFromKubeSystem(seen);
    expect({ profile: dataPlane.profile, source: dataPlane.source }).toEqual({ profile, source: "detected" });
    expect(dataPlane.evidence).toMatch(evidence);
  });

  test("nothing in kube-system (k3s) is unknown, and says how to state it", () => {
    const dataPlane = dataPlaneFromKubeSystem(view({}));
    expect([dataPlane.profile, dataPlane.source, dataPlane.implementation]).toEqual(["unknown", "unknown", "unknown"]);
    expect(dataPlane.evidence).toMatch(/no kube-proxy DaemonSet or ConfigMap and no Cilium.*state it with --data-plane iptables\|nftables\|ipvs\|cilium\|other/);
  });

  test("a kube-proxy mode the verifier does not know is unknown, named", () => {
    const dataPlane = dataPlaneFromKubeSystem(view({ kubeProxyDaemonSet: daemonSet("kube-proxy", ["kube-proxy", "--proxy-mode=kernelspace"]) }));
    expect(dataPlane.profile).toBe("unknown");
    expect(dataPlane.evidence).toMatch(/--proxy-mode=kernelspace; mode "kernelspace" is not one the verifier knows/);
  });

  test("a kube-proxy DaemonSet that names no mode anywhere is unknown", () => {
    expect(dataPlaneFromKubeSystem(view({ kubeProxyDaemonSet: KUBEADM_DS })).evidence).toMatch(/neither its flags nor a kube-proxy ConfigMap name the mode/);
  });

  test("RBAC refusing kube-system makes the data plane unknown, says what to grant, and does not throw", async () => {
    const forbidden = new KubeApiError("get daemonset kube-system/kube-proxy", 403, 'daemonsets.apps "kube-proxy" is forbidden');
    const reads: KubeSystemReads = { configMap: () => Promise.reject(forbidden), daemonSet: () => Promise.reject(forbidden) };
    const { dataPlane, notes } = await detectDataPlane(reads, undefined);
    expect([dataPlane.profile, dataPlane.noEndpoints]).toEqual(["unknown", "no-answer"]);
    expect(dataPlane.evidence).toMatch(/reading kube-system was refused \(.*HTTP 403.*\); grant get on daemonsets and configmaps in kube-system, or state it with --data-plane/);
    expect(notes).toEqual([]);
  });

  test("a stated profile wins, and a disagreement with kube-system is noted", async () => {
    const reads: KubeSystemReads = {
      configMap: async (_ns, name) => (name === "kube-proxy" ? kubeadmConfigMap("iptables") : undefined),
      daemonSet: async (_ns, name) => (name === "kube-proxy" ? KUBEADM_DS : undefined),
    };
    const stated = await detectDataPlane(reads, "ipvs");
    expect([stated.dataPlane.profile, stated.dataPlane.source]).toEqual(["ipvs", "stated"]);
    expect(stated.notes).toEqual([expect.stringMatching(/^--data-plane ipvs was stated, but kube-system shows kube-proxy \(iptables mode\)/)]);
    expect((await detectDataPlane(reads, "iptables")).notes).toEqual([]);
  });

  test("only kube-proxy's iptables and nftables modes promise a refusal", () => {
    const noEndpoints = (["iptables", "nftables", "ipvs", "cilium", "other", "unknown"] as const).map((p) => [p, dataPlaneOf(p, "stated", "").noEndpoints]);
    expect(noEndpoints).toEqual([
      ["iptables", "refused"], ["nftables", "refused"], ["ipvs", "no-answer"], ["cilium", "no-answer"], ["other", "no-answer"], ["unknown", "no-answer"],
    ]);
  });
});

describe("the expectation follows the data plane", () => {
  const empty = cluster([state(service({ name: "none", type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 3000, nodePort: 30083, protocol: "TCP" }] }), [])]);
  const noEndpointProbes = (dataPlane?: ReturnType<typeof dataPlaneOf>) =>
    planProbes(empty, { ...PLAN_DEFAULTS, ...(dataPlane ? { dataPlane } : {}) })
      .filter((p) => p.rule.startsWith("no-endpoints"))
      .map((p) => `${p.vantage} ${p.rule} ${p.expect.kind}`);

  test("under kube-proxy iptables (and by default) a Service without ready pods must refuse", () => {
    expect(new Set(noEndpointProbes())).toEqual(new Set(["outside no-endpoints-refuse refused", "pod no-endpoints-refuse refused", "api-proxy no-endpoints-refuse proxy-fails"]));
    expect(noEndpointProbes(dataPlaneOf("nftables", "detected", ""))).toEqual(noEndpointProbes());
  });

  test("elsewhere it must only not be answered: a silent drop passes", () => {
    for (const profile of ["ipvs", "cilium", "other", "unknown"] as const) {
      expect(new Set(noEndpointProbes(dataPlaneOf(profile, "stated", "")))).toEqual(
        new Set(["outside no-endpoints-no-answer no-reach", "pod no-endpoints-no-answer no-reach", "api-proxy no-endpoints-no-answer proxy-fails"]),
      );
    }
  });
});

test("every rule says whether Kubernetes promises it or the data plane decides, and data-plane rules say on what", () => {
  for (const rule of RULES) {
    expect([rule.id, ["kubernetes", "data-plane", "lab"].includes(rule.basis)]).toEqual([rule.id, true]);
    expect([rule.id, rule.basis === "data-plane" ? typeof rule.dependsOn : "n/a"]).toEqual([rule.id, rule.basis === "data-plane" ? "string" : "n/a"]);
  }
  const dataPlaneRules = RULES.filter((r) => r.basis === "data-plane").map((r) => r.id);
  expect(dataPlaneRules).toEqual(expect.arrayContaining(["no-endpoints-refuse", "pod-ip-not-from-outside", "clusterip-not-from-outside", "spread"]));
  expect(RULES.find((r) => r.id === "no-endpoints-no-answer")?.basis).toBe("kubernetes");
});

test("verify() refuses a data-plane profile it does not know, naming the allowed ones", () => {
  expect(() => resolveOptions({ dataPlane: "calico" as never })).toThrow('invalid dataPlane "calico": one of iptables, nftables, ipvs, cilium, other is allowed');
  expect(resolveOptions({}).expectIsolated).toBe(false);
});
