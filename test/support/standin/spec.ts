/**
 * What a stand-in world contains: nodes, workloads, Services, probe agents,
 * and the faults ("mutations") that break one reachability rule each.
 * `defaultWorldSpec()` is the svclab lab on kind as docs/CONTRACTS.md names it.
 */

import type { StandinDataPlane } from "./kube-system";

/** The demo workload roles of docs/CONTRACTS.md. */
export type Component = "frontend" | "backend" | "probe";

/** A node of the emulated cluster. */
export interface NodeSpec {
  /** Node name, e.g. `svclab-control-plane`. */
  readonly name: string;
  /** A control-plane node carries the NoSchedule taint: workloads skip it, probe agents tolerate it. */
  readonly role: "control-plane" | "worker";
  /**
   * The node is NotReady: its Ready condition is `False` with this reason and
   * message (as a kubelet reports it, e.g. `KubeletNotReady`). Its pods, the
   * probe agent included, are not ready (as the node lifecycle controller
   * marks them) and its node ports drop (kube-proxy there is not serving).
   */
  readonly notReady?: { readonly reason: string; readonly message: string };
}

/** A Deployment-like set of demo pods. */
export interface WorkloadSpec {
  readonly component: Exclude<Component, "probe">;
  /** Number of pods (≥ 0). */
  readonly replicas: number;
  /** Pods not ready at start (by replica index); default none. */
  readonly notReady?: readonly number[];
  /**
   * Pods being deleted at start (by replica index): `deletionTimestamp` set,
   * the process still running and, unless also in `notReady`, still passing
   * its readiness probe — serving-but-terminating endpoints, as in a rollout.
   */
  readonly terminating?: readonly number[];
}

/** Kubernetes Service types, plus headless as its own kind for readability. */
export type ServiceKind = "ClusterIP" | "Headless" | "NodePort" | "LoadBalancer" | "ExternalName";

/** One Service. Port 80 → targetPort 3000 named `http` unless overridden. */
export interface ServiceSpec {
  readonly name: string;
  readonly kind: ServiceKind;
  /** Pods with this component label are the endpoints; absent for ExternalName. */
  readonly over?: Exclude<Component, "probe">;
  /** Fixed nodePort (NodePort/LoadBalancer); allocated from 30000–32767 when absent. */
  readonly nodePort?: number;
  /** Default `Cluster`. https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy */
  readonly externalTrafficPolicy?: "Cluster" | "Local";
  /** Default `Cluster`. https://kubernetes.io/docs/reference/networking/virtual-ips/#internal-traffic-policy */
  readonly internalTrafficPolicy?: "Cluster" | "Local";
  /** Default `None`. https://kubernetes.io/docs/reference/networking/virtual-ips/#session-affinity */
  readonly sessionAffinity?: "None" | "ClientIP";
  /** ExternalName only. */
  readonly externalName?: string;
  /**
   * `spec.publishNotReadyAddresses`: every selected pod is a ready endpoint,
   * ready or not, as the EndpointSlice controller publishes it.
   * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
   */
  readonly publishNotReadyAddresses?: boolean;
  /** LoadBalancer only; default true. https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-nodeport-allocation */
  readonly allocateLoadBalancerNodePorts?: boolean;
  /** Service port; default 80. */
  readonly port?: number;
  /** Container port the Service sends to; default 3000. */
  readonly targetPort?: number;
  /**
   * Dual stack (`ipFamilyPolicy: PreferDualStack`, `ipFamilies` IPv4 and
   * IPv6): a second, IPv6 ClusterIP — `::1`, the one IPv6 loopback address,
   * so dual-stack Services need distinct ports — and, for a NodePort, the node
   * port on the IPv6 node address too; an IPv6 EndpointSlice next to the IPv4
   * one, listing the pods' IPv6 addresses; for a headless Service, AAAA
   * records of those. ClusterIP, NodePort and Headless Services only; the
   * world's `ipFamily` must be `dual`.
   */
  readonly dualStack?: boolean;
}

/**
 * Faults that make the world break one rule each. Every field defaults to
 * "no fault"; names refer to Services, nodes or pods of the spec.
 */
export interface WorldFaults {
  /** These Services' ClusterIPs answer from outside, as if a route to the Service CIDR existed. */
  readonly clusterIPAnswersFromOutside?: readonly string[];
  /** Pod IPs of these components answer from outside, as if the pod network were routed to the host. */
  readonly podIPsAnswerFromOutside?: readonly Component[];
  /** These LoadBalancer addresses accept and never answer (the load balancer forwards nowhere). */
  readonly silentLoadBalancers?: readonly string[];
  /** On these nodes every nodePort accepts and never answers. */
  readonly silentNodePortNodes?: readonly string[];
  /** These Services always send to the same one endpoint (no spreading). */
  readonly pinnedServices?: readonly string[];
  /** These Services ignore `sessionAffinity: ClientIP` and spread anyway. */
  readonly affinityIgnored?: readonly string[];
  /** These internalTrafficPolicy Local Services send to endpoints on any node. */
  readonly internalPolicyIgnored?: readonly string[];
  /** These externalTrafficPolicy Local Services answer on every node and SNAT like Cluster. */
  readonly externalPolicyIgnored?: readonly string[];
  /** Pods on these nodes cannot reach pods on other nodes (a broken overlay); outside traffic is unaffected. */
  readonly partitionedNodes?: readonly string[];
  /** No probe agent runs on these nodes. */
  readonly missingProbeAgents?: readonly string[];
  /** Pods of these components listen on this port instead of 3000 (the Service's targetPort stays 3000). */
  readonly listenPort?: Partial<Record<Exclude<Component, "probe">, number>>;
  /** Not-ready pods of these components are still published as ready endpoints. */
  readonly staleEndpoints?: readonly Component[];
  /** These Services, when they have no ready endpoints, drop connections (timeout) instead of rejecting them. */
  readonly noEndpointsDrop?: readonly string[];
  /**
   * ICMP-limited refusal: these Services, when they have no ready endpoints,
   * still REJECT, but a pod's connections to their ClusterIP see the refusal
   * only every other time and nothing (a timeout) otherwise — as the kernel
   * rate-limits the ICMP port-unreachable that carries the REJECT
   * (`net.ipv4.icmp_ratelimit`, 1/s per host; see
   * test/fixtures/real-cluster-v1.24/README.md). Played by count, not by the
   * clock, so what a test sees does not depend on its speed.
   */
  readonly icmpLimitedRefusal?: readonly string[];
  /**
   * The API server cannot reach these Services' pods (as with a NetworkPolicy
   * that admits only in-cluster clients): their services proxy answers 503.
   */
  readonly apiProxyBlocked?: readonly string[];
  /**
   * Dual-stack world: the pod network hands out IPv6 pod IPs but carries no
   * IPv6 traffic between pods (a CNI with its IPv6 routes missing): a pod's
   * connection to another pod's IPv6 address times out; IPv4 works.
   */
  readonly podIPv6Unrouted?: boolean;
  /** The cluster DNS answers NXDOMAIN for these Services. */
  readonly dnsMissing?: readonly string[];
  /** Every read in kube-system is refused with 403 Forbidden (RBAC that grants only the lab's namespace). */
  readonly kubeSystemForbidden?: boolean;
  /**
   * The probe token (docs/CONTRACTS.md, "Probe agents"): `missing` serves no
   * Secret `svclab-probe-token` (the agents still require their token),
   * `forbidden` answers 403 to reading it (RBAC without that grant), `stale`
   * gives the agents another token than the Secret's (a rotation the kubelet
   * has not yet copied into the pods).
   */
  readonly probeTokenSecret?: "missing" | "forbidden" | "stale";
}

/** A whole world. */
export interface WorldSpec {
  /** Namespace of everything; default `svclab`. */
  readonly namespace: string;
  /** kubeconfig context and cluster name; default `kind-svclab`. */
  readonly contextName: string;
  readonly nodes: readonly NodeSpec[];
  readonly workloads: readonly WorkloadSpec[];
  readonly services: readonly ServiceSpec[];
  /**
   * What the host sees at a ClusterIP or pod IP: `silent` accepts and never
   * answers (a blackholed route, ends by timeout), `refuse` has nothing
   * listening (ends by connection refused). Default `silent`.
   */
  readonly outsideBlackhole: "silent" | "refuse";
  /** What implements Services (what kube-system shows, and how a Service without endpoints behaves). Default kube-proxy iptables, as kind. */
  readonly dataPlane?: StandinDataPlane;
  /**
   * `routable`: every pod IP answers from outside as its pod, as on EKS (VPC
   * CNI) or GKE (VPC-native), where pod IPs are addresses of the VPC. Default `isolated`.
   */
  readonly podNetwork?: "isolated" | "routable";
  /**
   * `dual`: the first node also reports an IPv6 InternalIP, `::1` (the only
   * IPv6 address a test may use), Services marked `dualStack` get an IPv6
   * ClusterIP, and every pod an IPv6 pod IP in `status.podIPs`: its IPv4 pod
   * IP, IPv4-mapped (`::ffff:7f0a:1001`; addresses.ts `mappedIPv6`), so each
   * pod has an IPv6 address of its own that still lands on loopback, where
   * the world plays the pod network for both families. Default `ipv4`.
   */
  readonly ipFamily?: "ipv4" | "dual";
  readonly faults: WorldFaults;
}

/** The svclab lab: 1 control-plane + 2 workers, frontend ×3, backend ×2, the full Service catalog. */
export function defaultWorldSpec(): WorldSpec {
  const namespace = "svclab";
  return {
    namespace,
    contextName: "kind-svclab",
    nodes: [
      { name: "svclab-control-plane", role: "control-plane" },
      { name: "svclab-worker", role: "worker" },
      { name: "svclab-worker2", role: "worker" },
    ],
    workloads: [
      { component: "frontend", replicas: 3 },
      { component: "backend", replicas: 2 },
    ],
    services: [
      { name: "backend", kind: "ClusterIP", over: "backend" },
      { name: "backend-headless", kind: "Headless", over: "backend" },
      { name: "frontend-nodeport", kind: "NodePort", over: "frontend", nodePort: 30080 },
      { name: "frontend-lb", kind: "LoadBalancer", over: "frontend" },
      { name: "frontend-local", kind: "NodePort", over: "frontend", externalTrafficPolicy: "Local" },
      { name: "frontend-sticky", kind: "ClusterIP", over: "frontend", sessionAffinity: "ClientIP" },
      { name: "frontend-internal-local", kind: "ClusterIP", over: "frontend", internalTrafficPolicy: "Local" },
      { name: "backend-external", kind: "ExternalName", externalName: `backend.${namespace}.svc.cluster.local` },
    ],
    outsideBlackhole: "silent",
    faults: {},
  };
}

/** Overrides for `defaultWorldSpec()`; `faults` are merged, the rest replaces. */
export type WorldSpecOverrides = Partial<Omit<WorldSpec, "faults">> & { readonly faults?: WorldFaults };

/** The default spec with overrides applied. */
export function worldSpec(overrides: WorldSpecOverrides = {}): WorldSpec {
  const base = defaultWorldSpec();
  return { ...base, ...overrides, faults: { ...base.faults, ...(overrides.faults ?? {}) } };
}

/**
 * The largest world the stand-in builds. Its address plan holds more
 * (addresses.ts, `ADDRESS_CAPACITY`: 2,032 ClusterIPs and LoadBalancer IPs),
 * but every Service and node costs listening sockets (a NodePort Service one
 * per node): the lab's catalog at this size opens about 7,000 (built, and its
 * last catalog copy verified, under a 20,000 file-descriptor limit).
 */
export const STANDIN_LIMITS = { services: 1000, nodes: 16 } as const;

/** Rejects specs a real cluster could not have; messages name the field, the value and what is allowed. */
export function validateWorldSpec(spec: WorldSpec): void {
  const nodeNames = new Set(spec.nodes.map((n) => n.name));
  if (spec.nodes.length === 0) throw new Error("spec.nodes: got an empty list; a world needs at least one node");
  if (spec.nodes.length > STANDIN_LIMITS.nodes) throw new Error(`spec.nodes: got ${spec.nodes.length} nodes; allowed: at most ${STANDIN_LIMITS.nodes} (the stand-in's limit)`);
  if (spec.services.length > STANDIN_LIMITS.services) throw new Error(`spec.services: got ${spec.services.length} Services; allowed: at most ${STANDIN_LIMITS.services} (the stand-in's limit)`);
  if (nodeNames.size !== spec.nodes.length) throw new Error(`spec.nodes: names must be unique, got ${spec.nodes.map((n) => n.name).join(", ")}`);
  for (const w of spec.workloads) {
    if (!Number.isInteger(w.replicas) || w.replicas < 0 || w.replicas > 50) {
      throw new Error(`spec.workloads[${w.component}].replicas: got ${w.replicas}; allowed: an integer 0–50`);
    }
  }
  const serviceNames = new Set<string>();
  for (const s of spec.services) {
    if (serviceNames.has(s.name)) throw new Error(`spec.services: duplicate name "${s.name}"`);
    serviceNames.add(s.name);
    if (s.kind === "ExternalName" ? !s.externalName : !s.over) {
      throw new Error(`spec.services[${s.name}]: kind ${s.kind} needs ${s.kind === "ExternalName" ? "externalName" : "over (a component)"}`);
    }
    if (s.nodePort !== undefined && (s.nodePort < 30000 || s.nodePort > 32767)) {
      throw new Error(`spec.services[${s.name}].nodePort: got ${s.nodePort}; allowed: 30000–32767`);
    }
  }
  if (spec.faults.podIPv6Unrouted === true && spec.ipFamily !== "dual") {
    throw new Error(`spec.faults.podIPv6Unrouted: the world's ipFamily is ${spec.ipFamily ?? "ipv4"}; allowed only with ipFamily "dual"`);
  }
  const dualStack = spec.services.filter((s) => s.dualStack === true);
  for (const s of dualStack) {
    if (spec.ipFamily !== "dual") throw new Error(`spec.services[${s.name}].dualStack: the world's ipFamily is ${spec.ipFamily ?? "ipv4"}; allowed only with ipFamily "dual"`);
    if (s.kind !== "ClusterIP" && s.kind !== "NodePort" && s.kind !== "Headless") throw new Error(`spec.services[${s.name}].dualStack: kind ${s.kind}; allowed: ClusterIP, NodePort or Headless`);
  }
  // A headless Service has no ClusterIP, so it takes no port on ::1.
  const onLoopbackV6 = dualStack.filter((s) => s.kind !== "Headless");
  const v6Ports = onLoopbackV6.map((s) => s.port ?? 80);
  if (new Set(v6Ports).size !== v6Ports.length) {
    throw new Error(`spec.services: dual-stack Services share ::1, the one IPv6 loopback address, so their ports must differ; got ${onLoopbackV6.map((s) => `${s.name}:${s.port ?? 80}`).join(", ")}`);
  }
  for (const node of spec.faults.silentNodePortNodes ?? []) {
    if (!nodeNames.has(node)) throw new Error(`spec.faults.silentNodePortNodes: unknown node "${node}"; nodes are ${[...nodeNames].join(", ")}`);
  }
  for (const node of spec.faults.partitionedNodes ?? []) {
    if (!nodeNames.has(node)) throw new Error(`spec.faults.partitionedNodes: unknown node "${node}"; nodes are ${[...nodeNames].join(", ")}`);
  }
  for (const node of spec.faults.missingProbeAgents ?? []) {
    if (!nodeNames.has(node)) throw new Error(`spec.faults.missingProbeAgents: unknown node "${node}"; nodes are ${[...nodeNames].join(", ")}`);
  }
  const serviceFaults = ["clusterIPAnswersFromOutside", "pinnedServices", "affinityIgnored", "internalPolicyIgnored", "externalPolicyIgnored", "noEndpointsDrop", "icmpLimitedRefusal", "dnsMissing", "silentLoadBalancers", "apiProxyBlocked"] as const;
  for (const field of serviceFaults) {
    for (const name of spec.faults[field] ?? []) {
      if (!serviceNames.has(name)) throw new Error(`spec.faults.${field}: unknown Service "${name}"; Services are ${[...serviceNames].join(", ")}`);
    }
  }
}
