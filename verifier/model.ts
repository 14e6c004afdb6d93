import type { DataPlaneInfo } from "./data-plane";
import type { NetworkInfo } from "./network";

/**
 * The plain, serialisable picture of a cluster that the verifier works from.
 * Discovery fills it from the Kubernetes API; the planner and the judge read
 * only this, so both are pure and testable without a cluster.
 */

/** A node as the API reports it. */
export interface NodeInfo {
  readonly name: string;
  /** `control-plane` when the node carries the `node-role.kubernetes.io/control-plane` label. */
  readonly role: "control-plane" | "worker";
  /** The node's `InternalIP` address, or `undefined` when it reports none. */
  readonly internalIP: string | undefined;
  /** Every `InternalIP` the node reports, one per family on a dual-stack node; absent means `[internalIP]`. */
  readonly internalIPs?: readonly string[];
  /** The node's `Ready` condition is `True`. */
  readonly ready: boolean;
  /**
   * Why the node is not Ready, from its `Ready` condition (status, reason and
   * message, e.g. `Ready=False, KubeletNotReady: container runtime is down`);
   * absent when it is Ready. Probes from or to such a node are skipped with it.
   */
  readonly notReady?: string;
}

/** One entry of a Service's `spec.ports`. */
export interface ServicePortInfo {
  /** Port name; `""` when the Service has a single unnamed port. */
  readonly name: string;
  readonly port: number;
  /** Numeric target port, or the container port name it refers to. */
  readonly targetPort: number | string;
  /** Allocated node port (NodePort and LoadBalancer Services only). */
  readonly nodePort: number | undefined;
  readonly protocol: string;
}

/** The Service types plus the two shapes the rules treat on their own. */
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

/** A Service as the API reports it. @see https://kubernetes.io/docs/concepts/services-networking/service/ */
export interface ServiceInfo {
  readonly name: string;
  readonly type: ServiceType;
  /** `spec.clusterIP`; `"None"` for a headless Service; `undefined` for ExternalName. */
  readonly clusterIP: string | undefined;
  /** `spec.clusterIPs`: one per family on a dual-stack Service, primary first; absent means `[clusterIP]`. */
  readonly clusterIPs?: readonly string[];
  /** `spec.ipFamilies`, primary first; absent means the family of `clusterIP` (IPv4 when unknown). */
  readonly ipFamilies?: readonly ("IPv4" | "IPv6")[];
  readonly headless: boolean;
  readonly ports: readonly ServicePortInfo[];
  /** `spec.selector`; `undefined` when the Service has none (its endpoints are managed by hand). */
  readonly selector: Readonly<Record<string, string>> | undefined;
  readonly sessionAffinity: "None" | "ClientIP";
  readonly externalTrafficPolicy: "Cluster" | "Local";
  readonly internalTrafficPolicy: "Cluster" | "Local";
  readonly externalName: string | undefined;
  /** `status.loadBalancer.ingress[*].ip` (or `.hostname`). Empty while no address is assigned. */
  readonly loadBalancerIngress: readonly string[];
  /**
   * `spec.publishNotReadyAddresses`: the EndpointSlice controller marks every
   * selected pod with an IP `ready`, ready or not, terminating or not (absent: false).
   * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
   */
  readonly publishNotReadyAddresses?: boolean;
}

/** An endpoint of a Service, from its EndpointSlices. */
export interface EndpointInfo {
  /** The endpoint's address in the Service's primary family (the first of `spec.ipFamilies`). */
  readonly address: string;
  /** Its addresses in every family the Service has (dual stack: one IPv4, one IPv6); absent means `[address]`. */
  readonly addresses?: readonly string[];
  /** `targetRef.name` when the endpoint is a pod. */
  readonly podName: string | undefined;
  readonly nodeName: string | undefined;
  /** The endpoint port per Service port name, as the EndpointSlice resolved it. */
  readonly ports: Readonly<Record<string, number>>;
}

/** A pod matched by a Service's selector. */
export interface PodInfo {
  readonly name: string;
  /** `status.podIP`: the pod's address in the cluster's primary family. */
  readonly podIP: string | undefined;
  /** `status.podIPs`: one address per family on a dual-stack pod, primary first; absent means `[podIP]`. */
  readonly podIPs?: readonly string[];
  readonly nodeName: string | undefined;
  /** The pod's `Ready` condition is `True`. */
  readonly ready: boolean;
  /** `status.phase`: Pending, Running, Succeeded, Failed, Unknown. */
  readonly phase: string;
  /** The pod is being deleted (`metadata.deletionTimestamp` is set). */
  readonly terminating: boolean;
}

/** A probe agent: the pod on one node that dials and resolves for the verifier. */
export interface ProbeAgentInfo {
  readonly pod: string;
  readonly nodeName: string;
  readonly podIP: string | undefined;
  /** The agent's HTTP port (its container port named `http`, 3000 by default). */
  readonly port: number;
  readonly ready: boolean;
}

/** Everything the verifier knows about one Service. */
export interface ServiceState {
  readonly service: ServiceInfo;
  /** Ready endpoints (EndpointSlice `conditions.ready` not `false`). */
  readonly endpoints: readonly EndpointInfo[];
  /**
   * Serving-but-terminating endpoints (`ready: false, serving: true,
   * terminating: true`): a pod being deleted that still passes its readiness
   * probe. kube-proxy 1.26+ sends to them when no ready endpoint is left.
   * Absent in reports saved before they were recorded.
   * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions
   */
  readonly servingTerminating?: readonly EndpointInfo[];
  /** Pods the selector matches, ready or not. Empty without a selector. */
  readonly pods: readonly PodInfo[];
}

/** A discovered cluster. Plain data: JSON-serialisable, no clients inside. */
export interface Cluster {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  /** The cluster DNS domain Service names are resolved under, `cluster.local` by default. */
  readonly clusterDomain: string;
  readonly nodes: readonly NodeInfo[];
  readonly services: readonly ServiceState[];
  readonly agents: readonly ProbeAgentInfo[];
}

/**
 * The cluster as a report carries it: where the run went, and the picture
 * the views draw (nodes, the Services with their pods and endpoints, the
 * probe agents). `services`, `agents` and `clusterDomain` came later than the
 * rest: a report saved before them still loads, and views then draw only what
 * its probes show.
 */
export interface ReportCluster {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  readonly nodes: readonly NodeInfo[];
  readonly clusterDomain?: string;
  readonly services?: readonly ServiceState[];
  readonly agents?: readonly ProbeAgentInfo[];
  /** What implements Services and how that was known (absent in reports saved before it was recorded). */
  readonly dataPlane?: DataPlaneInfo;
  /** Whether pod IPs are routable from the machine that ran the verifier (absent in older reports). */
  readonly network?: NetworkInfo;
}
