/**
 * The emulated cluster's desired and observed state: nodes, pods, Services
 * and the endpoints the EndpointSlice controller would publish. Pure data;
 * the processes and sockets that make it real live in world.ts.
 */
import { randomUUID } from "node:crypto";
import { mappedIPv6, type AddressPlan } from "./addresses";
import type { Component, ServiceSpec, WorldFaults } from "./spec";

/** The labels docs/CONTRACTS.md puts on everything the kit creates. */
export function kitLabels(component: Component): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": "svclab",
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** Pod selector of a Service over a component (CONTRACTS.md: part-of + component). */
export function selectorFor(component: Component): Record<string, string> {
  return { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": component };
}

export interface NodeState {
  readonly name: string;
  readonly role: "control-plane" | "worker";
  readonly ip: string;
  /** The node's IPv6 InternalIP in a dual-stack world (`::1`). */
  readonly ipv6?: string;
  readonly uid: string;
  readonly createdAt: string;
  /** The node's Ready condition is False with this reason and message (the kubelet stopped). */
  readonly notReady?: { readonly reason: string; readonly message: string };
}

export interface PodState {
  readonly name: string;
  readonly uid: string;
  readonly component: Component;
  readonly node: string;
  /** The pod IP the API reports. */
  readonly podIP: string;
  /** Its IPv6 pod IP in a dual-stack world (`mappedIPv6(podIP)`, see addresses.ts). */
  readonly podIPv6?: string;
  /** The address the pod's process binds (the data plane routes podIP → wire). */
  readonly wire: string;
  /** Port the process really listens on (3000 unless a fault says otherwise). */
  readonly listenPort: number;
  readonly labels: Record<string, string>;
  readonly createdAt: string;
  /** What the kubelet's readiness probe concluded. */
  ready: boolean;
  /** The pod is being deleted (`deletionTimestamp` set) but its process still runs. */
  terminating: boolean;
}

export interface ServiceState {
  readonly spec: ServiceSpec;
  readonly name: string;
  readonly uid: string;
  readonly createdAt: string;
  /** Absent for headless and ExternalName Services. */
  readonly clusterIP?: string;
  /** The IPv6 ClusterIP of a dual-stack Service (`::1`). */
  readonly clusterIPv6?: string;
  /** LoadBalancer ingress IP. */
  readonly loadBalancerIP?: string;
  /** Allocated for NodePort and LoadBalancer Services. */
  readonly nodePort?: number;
  readonly port: number;
  readonly targetPort: number;
  readonly labels: Record<string, string>;
}

/** One endpoint as the EndpointSlice controller publishes it. */
export interface EndpointState {
  readonly pod: PodState;
  /** The published `conditions.ready` (a stale-endpoints fault can make it lie). */
  readonly ready: boolean;
  /** `conditions.serving`: the pod's readiness, terminating or not. */
  readonly serving: boolean;
  /** `conditions.terminating`. */
  readonly terminating: boolean;
}

const POD_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function randomSuffix(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += POD_SUFFIX_ALPHABET[Math.floor(Math.random() * POD_SUFFIX_ALPHABET.length)];
  return out;
}

/** In-memory cluster: the single source the fake API and the data plane both read. */
export class ClusterState {
  readonly nodes: NodeState[] = [];
  readonly pods: PodState[] = [];
  readonly services: ServiceState[] = [];
  private readonly templateHash = new Map<Component, string>();
  private readonly usedNodePorts = new Set<number>();
  /** Fixed nodePorts asked for by any Service; random allocation avoids them. */
  private readonly reservedNodePorts = new Set<number>();

  /** @param dualStack pods get an IPv6 pod IP too, as on a kind cluster with `ipFamily: dual` */
  constructor(readonly namespace: string, private readonly addresses: AddressPlan, private readonly faults: WorldFaults, private readonly dualStack = false) {}

  addNode(name: string, role: NodeState["role"], ipv6?: string, notReady?: NodeState["notReady"]): NodeState {
    const node = {
      name, role, ip: this.addresses.nodeIP(), ...(ipv6 !== undefined ? { ipv6 } : {}), uid: randomUUID(), createdAt: new Date().toISOString(),
      ...(notReady !== undefined ? { notReady } : {}),
    };
    this.nodes.push(node);
    return node;
  }

  /** Creates a pod on a node with a fresh pod IP, as the ReplicaSet or DaemonSet controller would. */
  addPod(component: Component, node: string, ready: boolean): PodState {
    const hash = this.templateHash.get(component) ?? randomSuffix(10);
    this.templateHash.set(component, hash);
    const name = component === "probe" ? `probe-${randomSuffix(5)}` : `${component}-${hash}-${randomSuffix(5)}`;
    const labels = { ...kitLabels(component), ...(component === "probe" ? { "controller-revision-hash": hash } : { "pod-template-hash": hash }) };
    const listenPort = component === "probe" ? 3000 : (this.faults.listenPort?.[component] ?? 3000);
    const podIP = this.addresses.podIP();
    const pod: PodState = {
      name, uid: randomUUID(), component, node, podIP, ...(this.dualStack ? { podIPv6: mappedIPv6(podIP) } : {}), wire: this.addresses.podWire(),
      listenPort, labels, createdAt: new Date().toISOString(), ready, terminating: false,
    };
    this.pods.push(pod);
    return pod;
  }

  removePod(name: string): PodState {
    const index = this.pods.findIndex((p) => p.name === name);
    if (index < 0) throw new Error(`pod ${this.namespace}/${name} does not exist; pods are ${this.pods.map((p) => p.name).join(", ")}`);
    return this.pods.splice(index, 1)[0];
  }

  /** Keeps random nodePort allocation away from ports that Services ask for explicitly. */
  reserveNodePorts(ports: readonly (number | undefined)[]): void {
    for (const port of ports) if (port !== undefined) this.reservedNodePorts.add(port);
  }

  addService(spec: ServiceSpec): ServiceState {
    const withClusterIP = spec.kind !== "Headless" && spec.kind !== "ExternalName";
    const withNodePort = spec.kind === "NodePort" || (spec.kind === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
    const service: ServiceState = {
      spec,
      name: spec.name,
      uid: randomUUID(),
      createdAt: new Date().toISOString(),
      clusterIP: withClusterIP ? this.addresses.clusterIP() : undefined,
      ...(withClusterIP && spec.dualStack === true ? { clusterIPv6: "::1" } : {}),
      loadBalancerIP: spec.kind === "LoadBalancer" ? this.addresses.loadBalancerIP() : undefined,
      nodePort: withNodePort ? this.allocateNodePort(spec.nodePort) : undefined,
      port: spec.port ?? 80,
      targetPort: spec.targetPort ?? 3000,
      labels: spec.over ? kitLabels(spec.over) : { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/managed-by": "pulumi" },
    };
    this.services.push(service);
    return service;
  }

  node(name: string): NodeState {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`node ${name} does not exist; nodes are ${this.nodes.map((n) => n.name).join(", ")}`);
    return node;
  }

  pod(name: string): PodState {
    const pod = this.pods.find((p) => p.name === name);
    if (!pod) throw new Error(`pod ${this.namespace}/${name} does not exist; pods are ${this.pods.map((p) => p.name).join(", ")}`);
    return pod;
  }

  service(name: string): ServiceState | undefined {
    return this.services.find((s) => s.name === name);
  }

  /**
   * Every endpoint the controller publishes for a Service (ready or not); none
   * for ExternalName. As the EndpointSlice controller's podToEndpoint:
   * `ready = publishNotReadyAddresses || (serving && !terminating)`.
   */
  endpoints(service: ServiceState): EndpointState[] {
    const over = service.spec.over;
    if (!over) return [];
    const stale = (this.faults.staleEndpoints ?? []).includes(over);
    const publish = service.spec.publishNotReadyAddresses === true;
    return this.pods
      .filter((p) => p.component === over)
      .map((pod) => ({ pod, ready: publish || (pod.ready && !pod.terminating) || stale, serving: pod.ready, terminating: pod.terminating }));
  }

  /** The endpoints kube-proxy and the API server's proxy would send to. */
  readyEndpoints(service: ServiceState): PodState[] {
    return this.endpoints(service).filter((e) => e.ready).map((e) => e.pod);
  }

  /** Endpoints `ready: false, serving: true, terminating: true`: where kube-proxy 1.26+ sends when none is ready. */
  servingTerminatingEndpoints(service: ServiceState): PodState[] {
    return this.endpoints(service).filter((e) => !e.ready && e.serving && e.terminating).map((e) => e.pod);
  }

  private allocateNodePort(fixed: number | undefined): number {
    if (fixed !== undefined) {
      if (this.usedNodePorts.has(fixed)) throw new Error(`nodePort ${fixed} is already allocated`);
      this.usedNodePorts.add(fixed);
      return fixed;
    }
    for (let attempt = 0; attempt < 1000; attempt++) {
      const port = 30000 + Math.floor(Math.random() * 2768);
      if (!this.usedNodePorts.has(port) && !this.reservedNodePorts.has(port)) {
        this.usedNodePorts.add(port);
        return port;
      }
    }
    throw new Error("no free nodePort in 30000–32767");
  }
}
