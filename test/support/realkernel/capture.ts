/**
 * The real-cluster capture (test/fixtures/real-cluster-v1.24/, see its README)
 * read as the plan of a network-namespace world: which nodes and pods exist at
 * which addresses, the API objects to serve, and each node's kube-proxy rules.
 * Everything here comes from the captured files; the only derived facts are
 * named where they are derived (the DNS pod and API server addresses come from
 * kube-proxy's own DNAT rules for kube-dns and default/kubernetes).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

/**
 * `ready`: the lab as captured. `backend-not-ready`: the same cluster after both
 * backend pods turned not ready (the capture's `backend-not-ready/` rules and
 * EndpointSlices; those pods' Ready condition is set False to match).
 */
export type Scenario = "ready" | "backend-not-ready";
export const SCENARIOS: readonly Scenario[] = ["ready", "backend-not-ready"];

export interface CapturedNode {
  readonly name: string;
  readonly ip: string;
  /** The node's pod CIDR (`spec.podCIDR`), e.g. 198.18.65.0/24. */
  readonly podCIDR: string;
  /** The first address of the pod CIDR: the pods' gateway on this node (as kind's ptp CNI sets it). */
  readonly gateway: string;
  readonly role: "control-plane" | "worker";
}

export interface CapturedPod {
  readonly name: string;
  readonly node: string;
  readonly ip: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /** The container's environment with the Downward API fields filled in, as the kubelet would. */
  readonly env: Readonly<Record<string, string>>;
}

/** The API objects of one scenario, as `kubectl get -o json` lists them. */
export interface CapturedObjects {
  readonly namespace: string;
  readonly nodes: readonly Record<string, any>[];
  readonly services: readonly Record<string, any>[];
  readonly endpointslices: readonly Record<string, any>[];
  readonly pods: readonly Record<string, any>[];
  /** Not captured (the capture predates the probe token): the world adds the probe token's Secret. */
  readonly secrets?: readonly Record<string, any>[];
}

export interface Capture {
  readonly dir: string;
  readonly namespace: string;
  readonly nodes: readonly CapturedNode[];
  readonly pods: readonly CapturedPod[];
  /** The cluster CIDR kube-proxy was given (its `! -s <cidr> ... KUBE-MARK-MASQ` rules): 198.18.64.0/18. */
  readonly clusterCIDR: string;
  /** The service CIDR (the capture's README; kube-proxy's rules only name single ClusterIPs). */
  readonly serviceCIDR: string;
  /** kube-dns: the ClusterIP pods ask and the DNS pod's address behind it, from kube-proxy's rules. */
  readonly clusterDns: { readonly serviceIP: string; readonly podIP: string; readonly node: string };
  /** Where default/kubernetes DNATs to: the API server on the control-plane node. */
  readonly apiServer: { readonly ip: string; readonly port: number };
  /** LoadBalancer ingress addresses of the captured Services. */
  readonly loadBalancerIPs: readonly string[];
  /** ClusterIPs of the captured Services (not `None`). */
  readonly clusterIPs: readonly string[];
  objects(scenario: Scenario): CapturedObjects;
  /** `iptables-save` text of one node for a scenario, unchanged. */
  rules(scenario: Scenario, node: string): string;
}

const CAPTURE_NAME = "real-cluster-v1.24";
/** Stated by the capture's README; no captured object carries it. */
const SERVICE_CIDR = "198.19.0.0/16";

/** The capture directory: beside this file's source tree, or above `dist/` when running compiled. */
export function captureDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "test", "fixtures", CAPTURE_NAME);
    if (fs.existsSync(path.join(candidate, "pods.json"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find test/fixtures/${CAPTURE_NAME} above ${from}`);
  }
}

function readList(file: string): Record<string, any>[] {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { items?: unknown };
  if (!Array.isArray(parsed.items)) throw new Error(`${file} is not a Kubernetes list (no items array)`);
  return parsed.items as Record<string, any>[];
}

/** The `--to-destination` of the DNAT rule kube-proxy wrote for a Service port comment such as `kube-system/kube-dns:dns`. */
function dnatTarget(rules: string, comment: string): { ip: string; port: number } {
  const pattern = new RegExp(`--comment "${comment}" .*-j DNAT --to-destination (\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+)`);
  const match = pattern.exec(rules);
  if (match === null) throw new Error(`the captured rules have no DNAT for ${comment}`);
  return { ip: match[1], port: Number(match[2]) };
}

function clusterIPRule(rules: string, comment: string): string {
  const match = new RegExp(`-d (\\d+\\.\\d+\\.\\d+\\.\\d+)/32 .*--comment "${comment} cluster IP"`).exec(rules);
  if (match === null) throw new Error(`the captured rules have no cluster IP rule for ${comment}`);
  return match[1];
}

function firstAddress(cidr: string): string {
  const [base] = cidr.split("/");
  const octets = base.split(".").map(Number);
  octets[3] += 1;
  return octets.join(".");
}

/** The Downward API fields the captured pods use. */
function fieldValue(pod: Record<string, any>, fieldPath: string): string {
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "spec.nodeName":
      return pod.spec.nodeName;
    case "status.podIP":
      return pod.status.podIP;
    default:
      throw new Error(`pod ${pod.metadata.name}: Downward API field ${fieldPath} is not supported; supported: metadata.name, metadata.namespace, spec.nodeName, status.podIP`);
  }
}

function envOf(pod: Record<string, any>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of pod.spec.containers[0].env ?? []) {
    if (typeof entry.value === "string") env[entry.name] = entry.value;
    else if (entry.valueFrom?.fieldRef?.fieldPath !== undefined) env[entry.name] = fieldValue(pod, entry.valueFrom.fieldRef.fieldPath);
  }
  return env;
}

/** Pods listed with `ready: false` in the scenario's slices get Ready/ContainersReady False, as the kubelet reported them. */
function withReadiness(pods: readonly Record<string, any>[], slices: readonly Record<string, any>[]): Record<string, any>[] {
  const notReady = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false && endpoint.targetRef?.kind === "Pod") notReady.add(endpoint.targetRef.name);
    }
  }
  return pods.map((pod) => {
    if (!notReady.has(pod.metadata.name)) return pod;
    const conditions = (pod.status.conditions as Record<string, any>[]).map((c) =>
      c.type === "Ready" || c.type === "ContainersReady" ? { ...c, status: "False", reason: "ContainersNotReady" } : c,
    );
    const containerStatuses = (pod.status.containerStatuses ?? []).map((s: Record<string, any>) => ({ ...s, ready: false }));
    return { ...pod, status: { ...pod.status, conditions, containerStatuses } };
  });
}

/** Reads the capture. */
export function loadCapture(dir = captureDir()): Capture {
  const nodesRaw = readList(path.join(dir, "nodes.json"));
  const services = readList(path.join(dir, "services.json"));
  const podsRaw = readList(path.join(dir, "pods.json"));
  const slices: Record<Scenario, Record<string, any>[]> = {
    ready: readList(path.join(dir, "endpointslices.json")),
    "backend-not-ready": readList(path.join(dir, "backend-not-ready", "endpointslices.json")),
  };
  const namespace: string = podsRaw[0]?.metadata?.namespace ?? "svclab";
  const nodes: CapturedNode[] = nodesRaw.map((n) => {
    const ip = (n.status.addresses as { type: string; address: string }[]).find((a) => a.type === "InternalIP")?.address;
    if (ip === undefined) throw new Error(`captured node ${n.metadata.name} has no InternalIP`);
    const podCIDR: string = n.spec.podCIDR;
    const controlPlane = "node-role.kubernetes.io/control-plane" in (n.metadata.labels ?? {});
    return { name: n.metadata.name, ip, podCIDR, gateway: firstAddress(podCIDR), role: controlPlane ? "control-plane" : "worker" };
  });
  const pods: CapturedPod[] = podsRaw.map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName,
    ip: p.status.podIP,
    component: p.metadata.labels?.["app.kubernetes.io/component"] ?? "",
    env: envOf(p),
  }));
  const rulesFile = (scenario: Scenario, node: string): string => {
    if (!nodes.some((n) => n.name === node)) throw new Error(`no captured node ${node}; nodes are ${nodes.map((n) => n.name).join(", ")}`);
    return path.join(dir, ...(scenario === "ready" ? [] : [scenario]), `kube-proxy-iptables.${node}.txt`);
  };
  const controlPlane = nodes.find((n) => n.role === "control-plane") ?? nodes[0];
  const someRules = fs.readFileSync(rulesFile("ready", controlPlane.name), "utf8");
  const dnsPod = dnatTarget(someRules, "kube-system/kube-dns:dns");
  const dnsNode = nodes.find((n) => inCidr(n.podCIDR, dnsPod.ip));
  if (dnsNode === undefined) throw new Error(`the DNS pod address ${dnsPod.ip} is in no captured node's pod CIDR`);
  const api = dnatTarget(someRules, "default/kubernetes:https");
  const clusterCIDR = /! -s (\d+\.\d+\.\d+\.\d+\/\d+) /.exec(someRules)?.[1];
  if (clusterCIDR === undefined) throw new Error("the captured rules name no cluster CIDR");
  return {
    dir,
    namespace,
    nodes,
    pods,
    clusterCIDR,
    serviceCIDR: SERVICE_CIDR,
    clusterDns: { serviceIP: clusterIPRule(someRules, "kube-system/kube-dns:dns"), podIP: dnsPod.ip, node: dnsNode.name },
    apiServer: api,
    loadBalancerIPs: services.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string }) => i.ip).filter((ip: unknown): ip is string => typeof ip === "string")),
    clusterIPs: services.map((s) => s.spec.clusterIP).filter((ip: unknown): ip is string => typeof ip === "string" && ip !== "None"),
    objects: (scenario) => ({
      namespace,
      nodes: nodesRaw,
      services,
      endpointslices: slices[scenario],
      pods: withReadiness(podsRaw, slices[scenario]),
    }),
    rules: (scenario, node) => fs.readFileSync(rulesFile(scenario, node), "utf8"),
  };
}

/** True when `ip` lies in `cidr` (IPv4). */
export function inCidr(cidr: string, ip: string): boolean {
  const [base, prefix] = cidr.split("/");
  const range = new net.BlockList();
  range.addSubnet(base, Number(prefix), "ipv4");
  return range.check(ip, "ipv4");
}
