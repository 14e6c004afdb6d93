/**
 * The rule catalogue: every reachability fact the verifier proves, each with a
 * stable id (used as the JUnit classname and in `--only`/`--skip` filters) and
 * one plain sentence a learner can read next to a ✗.
 *
 * Source of truth: the reachability table in DESIGN.md and
 * https://kubernetes.io/docs/concepts/services-networking/service/
 */

/** Where a probe is sent from. `api` checks read the discovered objects and send no traffic. */
export type Vantage = "outside" | "pod" | "api-proxy" | "api";

/**
 * Why a rule holds: `kubernetes` — the Service API promises it on every
 * conformant cluster; `data-plane` — it is how this cluster's Service
 * implementation or network behaves (kube-proxy's mode, a replacement such as
 * Cilium, routable pod IPs), so the verifier's expectation follows the data
 * plane it detected or was told; `lab` — a precondition of the verifier itself.
 */
export type RuleBasis = "kubernetes" | "data-plane" | "lab";

/** A rule of the catalogue. */
export interface Rule {
  readonly id: RuleId;
  readonly sentence: string;
  /** The vantages this rule is probed from. */
  readonly vantages: readonly Vantage[];
  readonly basis: RuleBasis;
  /** For `data-plane` rules: where it holds and where it does not. */
  readonly dependsOn?: string;
}

const catalogue = {
  "pod-ip-not-from-outside": {
    sentence: "A pod IP belongs to the cluster's pod network: it is not routed to from outside the cluster",
    vantages: ["outside"],
    basis: "data-plane",
    dependsOn: "the network: pod IPs are routable from outside on EKS (VPC CNI), GKE (VPC-native) and from a node; reported as a property of the network unless --expect-isolated",
  },
  "pod-ip-from-pod": {
    sentence: "Every pod can reach every other pod by its pod IP and container port, on any node",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "clusterip-not-from-outside": {
    sentence: "A ClusterIP is virtual: only traffic inside the cluster is translated to a pod",
    vantages: ["outside"],
    basis: "data-plane",
    dependsOn: "the network: a machine on a node, or one with a route to the Service range, reaches ClusterIPs; reported as a property of the network when pod IPs are routable too, unless --expect-isolated",
  },
  "clusterip-from-pod": {
    sentence: "From any pod, the ClusterIP and Service port reach one of the Service's ready pods",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "clusterip-no-node-port": {
    sentence: "A ClusterIP Service opens no port on the nodes",
    vantages: ["api"],
    basis: "kubernetes",
  },
  "dns-resolves-in-cluster": {
    sentence: "Inside the cluster, <service>.<namespace>.svc.<cluster domain> resolves to the ClusterIP",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "dns-name-answers": {
    sentence: "Inside the cluster, the Service's DNS name and port reach one of its ready pods",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "dns-not-outside": {
    sentence: "Cluster DNS names exist only inside the cluster: they do not resolve outside it",
    vantages: ["outside"],
    basis: "data-plane",
    dependsOn: "this machine's resolver: one that forwards to the cluster DNS resolves Service names",
  },
  "nodeport-from-outside": {
    sentence: "A NodePort answers from outside on the same port of every node, control plane included",
    vantages: ["outside"],
    basis: "kubernetes",
  },
  "nodeport-from-pod": {
    sentence: "A NodePort also answers from inside the cluster on every node's address",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "nodeport-in-range": {
    sentence: "A node port is allocated from the node port range 30000-32767",
    vantages: ["api"],
    basis: "kubernetes",
  },
  "lb-node-port-allocated": {
    sentence: "A LoadBalancer Service is a NodePort Service too: a node port is allocated for each port",
    vantages: ["api"],
    basis: "kubernetes",
  },
  "lb-from-outside": {
    sentence: "A LoadBalancer address answers from outside the cluster",
    vantages: ["outside"],
    basis: "kubernetes",
  },
  "lb-from-pod": {
    sentence: "A LoadBalancer address also answers from inside the cluster",
    vantages: ["pod"],
    basis: "data-plane",
    dependsOn: "kube-proxy (iptables, nftables, ipvs) short-circuits a LoadBalancer address to the Service for pods; a load balancer in proxy mode (ipMode: Proxy) sends pods out to it instead",
  },
  "service-via-api-proxy": {
    sentence: "The API server's service proxy reaches one of the Service's ready pods",
    vantages: ["api-proxy"],
    basis: "kubernetes",
  },
  "externalname-cname": {
    sentence: "An ExternalName Service is only a DNS CNAME to its externalName; no proxying is involved",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "externalname-no-proxy": {
    sentence: "An ExternalName Service has no endpoints, so the API server's service proxy cannot reach it",
    vantages: ["api-proxy"],
    basis: "kubernetes",
  },
  "headless-a-records": {
    sentence: "A headless Service (clusterIP: None) has no virtual IP: its DNS name returns the ready pod IPs",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "etp-local-only-local-nodes": {
    sentence: "With externalTrafficPolicy: Local, only nodes running a ready pod of the Service answer on the node port",
    vantages: ["outside"],
    basis: "kubernetes",
  },
  "etp-local-preserves-client": {
    sentence: "With externalTrafficPolicy: Local, the pod sees the real client address, not a cluster address",
    vantages: ["outside"],
    basis: "kubernetes",
  },
  "itp-local-same-node": {
    sentence: "With internalTrafficPolicy: Local, a pod's request reaches only endpoints on its own node",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "port-chain": {
    sentence: "A request to the Service port is answered by the container listening on the targetPort",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  spread: {
    sentence: "Requests through a Service with two or more ready pods are spread over more than one pod",
    vantages: ["pod"],
    basis: "data-plane",
    dependsOn: "kube-proxy picks an endpoint at random (iptables, nftables) or in turn (ipvs); Kubernetes itself promises no spreading",
  },
  "session-affinity": {
    sentence: "With sessionAffinity: ClientIP, every request from one client reaches the same pod",
    vantages: ["pod"],
    basis: "kubernetes",
  },
  "no-endpoints-no-answer": {
    sentence: "A Service with no ready pods is answered by none: the connection fails (refused or dropped, as the data plane does it)",
    vantages: ["pod", "outside", "api-proxy"],
    basis: "kubernetes",
  },
  "no-endpoints-refuse": {
    sentence: "A Service with no ready pods refuses connections at once instead of letting them time out",
    vantages: ["pod", "outside", "api-proxy"],
    basis: "data-plane",
    dependsOn: "kube-proxy in iptables or nftables mode REJECTs (connection refused); elsewhere (ipvs, Cilium, unknown) the verifier expects only that no pod answers (no-endpoints-no-answer)",
  },
  "terminating-fallback": {
    sentence: "A Service whose pods are all terminating keeps answering from those still serving, instead of refusing, until they are gone",
    vantages: ["pod", "outside"],
    basis: "data-plane",
    dependsOn: "kube-proxy 1.26+ (iptables, ipvs; nftables always) falls back to serving-but-terminating endpoints when no ready one is left; before 1.26 it refuses (no-endpoints-refuse); where the version or implementation is unknown, either those pods answer or none does",
  },
  "endpoints-match-selector": {
    sentence: "A Service's endpoints are exactly the ready pods its label selector matches",
    vantages: ["api"],
    basis: "kubernetes",
  },
  "probe-agent-per-node": {
    sentence: "Every node runs a ready probe agent, so every node can be probed from inside",
    vantages: ["api"],
    basis: "lab",
  },
} as const satisfies Record<string, { sentence: string; vantages: readonly Vantage[]; basis: RuleBasis; dependsOn?: string }>;

/** The id of a rule in the catalogue. */
export type RuleId = keyof typeof catalogue;

/** Every rule, in catalogue order. */
export const RULES: readonly Rule[] = (Object.keys(catalogue) as RuleId[]).map((id) => rule(id));

/** The rule with this id. */
export function rule(id: RuleId): Rule {
  const entry: { sentence: string; vantages: readonly Vantage[]; basis: RuleBasis; dependsOn?: string } = catalogue[id];
  return { id, ...entry };
}
