/**
 * kube-proxy and the pod network, emulated: where a connection to an address
 * ends up, seen from a pod, from outside at a node's nodePort, or at a
 * LoadBalancer address. Pure decisions; sockets live in tcp-forwarder.ts and
 * probe-agent.ts. Semantics follow kube-proxy's iptables mode:
 * https://kubernetes.io/docs/reference/networking/virtual-ips/
 */
import type { AddressPlan } from "./addresses";
import { isLoopback } from "./addresses";
import type { ClusterState, NodeState, PodState, ServiceState } from "./cluster-state";
import { dropsWithoutEndpoints, fallsBackToTerminating, KIND_DATA_PLANE, type StandinDataPlane } from "./kube-system";
import type { WorldFaults } from "./spec";

/** Where a connection goes. */
export type Route =
  /** DNAT to an endpoint: dial `host:port` (the pod's real socket) from `localAddress` (what the pod sees as client). */
  | { readonly kind: "endpoint"; readonly pod: PodState; readonly host: string; readonly port: number; readonly localAddress: string }
  /** Not a virtual address: dial it as it is. */
  | { readonly kind: "direct"; readonly host: string; readonly port: number; readonly localAddress: string }
  /** kube-proxy REJECT (a Service with no ready endpoints): connection refused. */
  | { readonly kind: "reject"; readonly why: string }
  /** kube-proxy DROP (no local endpoint under a Local policy, a silent node): timeout. */
  | { readonly kind: "drop"; readonly why: string }
  /** Outside 127/8: the stand-in never sends traffic there. */
  | { readonly kind: "unroutable"; readonly why: string };

export class DataPlane {
  /** sessionAffinity memory: `<service>|<client>` → pod name. */
  private readonly affinity = new Map<string, string>();
  /** icmpLimitedRefusal: REJECTs per `<service>|<client>` so far. */
  private readonly refusalsSent = new Map<string, number>();

  constructor(
    private readonly state: ClusterState,
    private readonly faults: WorldFaults,
    readonly addresses: AddressPlan,
    private readonly implementation: StandinDataPlane = KIND_DATA_PLANE,
  ) {}

  /** A connection opened by a process in `from` to `host:port`. */
  fromPod(from: PodState, host: string, port: number): Route {
    const route = this.fromPodUnpartitioned(from, host, port);
    const partitioned = (this.faults.partitionedNodes ?? []).includes(from.node);
    if (partitioned && route.kind === "endpoint" && route.pod.node !== from.node) {
      return { kind: "drop", why: `pods on ${from.node} cannot reach pods on ${route.pod.node} (partitioned)` };
    }
    return route;
  }

  private fromPodUnpartitioned(from: PodState, host: string, port: number): Route {
    if (host === "::1") return this.fromPodIPv6(from, host, port);
    // A pod's IPv6 pod IP (dual-stack world): the pod network carries it to the pod, unless a fault says it does not.
    const v6Pod = this.state.pods.find((p) => p.podIPv6 !== undefined && p.podIPv6 === host);
    if (v6Pod) {
      if (this.faults.podIPv6Unrouted === true) return { kind: "drop", why: `the pod network does not route IPv6 pod IPs (fault): [${host}]:${port}` };
      return { kind: "endpoint", pod: v6Pod, host: v6Pod.wire, port, localAddress: from.podIP };
    }
    if (!isLoopback(host)) return { kind: "unroutable", why: `${host} is outside 127.0.0.0/8` };
    const node = this.state.node(from.node);
    for (const service of this.state.services) {
      if (service.port === port && (service.clusterIP === host || service.loadBalancerIP === host)) {
        // Pods reaching a LoadBalancer VIP are short-circuited to the Service, as kube-proxy does.
        return this.internal(service, from, node);
      }
    }
    const targetNode = this.state.nodes.find((n) => n.ip === host);
    if (targetNode) {
      const service = this.state.services.find((s) => s.nodePort === port);
      // Traffic from pods to a nodePort is masqueraded and sent to any endpoint, whatever the external policy.
      if (service) return this.viaNodePort(service, targetNode, from.podIP, "cluster");
      return { kind: "direct", host, port, localAddress: from.podIP };
    }
    const pod = this.state.pods.find((p) => p.podIP === host);
    if (pod) return { kind: "endpoint", pod, host: pod.wire, port, localAddress: from.podIP };
    return { kind: "direct", host, port, localAddress: from.podIP };
  }

  /** A pod's connection to ::1, a dual-stack Service's IPv6 ClusterIP or a node's IPv6 address. */
  private fromPodIPv6(from: PodState, host: string, port: number): Route {
    const service = this.state.services.find((s) => s.clusterIPv6 === host && s.port === port);
    if (service) return this.internal(service, from, this.state.node(from.node));
    const node = this.state.nodes.find((n) => n.ipv6 === host);
    const nodePortService = this.state.services.find((s) => s.clusterIPv6 !== undefined && s.nodePort === port);
    if (node && nodePortService) return this.viaNodePort(nodePortService, node, from.podIP, "cluster");
    return { kind: "reject", why: `nothing listens on [${host}]:${port}` };
  }

  /** An outside client at `node`'s nodePort of `service`. */
  atNodePort(service: ServiceState, node: NodeState, clientAddress: string, remember = true): Route {
    const local = (service.spec.externalTrafficPolicy ?? "Cluster") === "Local" && !(this.faults.externalPolicyIgnored ?? []).includes(service.name);
    return this.viaNodePort(service, node, clientAddress, local ? "local" : "cluster", remember);
  }

  /** An outside client at a LoadBalancer address; the load balancer picks a node carrying an endpoint. */
  atLoadBalancer(service: ServiceState, clientAddress: string, remember = true): Route {
    const ready = this.usable(service);
    if (ready.length === 0) return this.noEndpoints(service);
    const pod = this.choose(service, clientAddress, ready, remember);
    const local = (service.spec.externalTrafficPolicy ?? "Cluster") === "Local";
    // Cluster policy: the node that took the packet masquerades it with its own IP.
    const localAddress = local ? clientAddress : this.state.node(pod.node).ip;
    return { kind: "endpoint", pod, host: pod.wire, port: service.targetPort, localAddress };
  }

  /**
   * An outside client at a ClusterIP in a world where the host has a route to
   * the Service CIDR (a fault): some node DNATs it to any ready endpoint.
   */
  routedClusterIP(service: ServiceState, clientAddress: string): Route {
    const ready = this.usable(service);
    if (ready.length === 0) return this.noEndpoints(service);
    const pod = this.choose(service, clientAddress, ready);
    return { kind: "endpoint", pod, host: pod.wire, port: service.targetPort, localAddress: clientAddress };
  }

  /** What the API server's services proxy sends to: any ready endpoint, no kube-proxy involved. */
  forApiProxy(service: ServiceState): PodState | undefined {
    const ready = this.state.readyEndpoints(service);
    return ready[Math.floor(Math.random() * ready.length)];
  }

  /** Whether a node's nodePort would forward at all (decides which listeners are silent or absent). */
  nodePortMode(service: ServiceState, node: NodeState): "forward" | "drop" | "reject" {
    const route = this.atNodePort(service, node, "127.0.0.1", false);
    return route.kind === "endpoint" ? "forward" : route.kind === "reject" ? "reject" : "drop";
  }

  /**
   * The endpoints kube-proxy sends to: the ready ones; with none, from v1.26 the
   * serving-but-terminating ones (the same for Cluster and Local policies).
   */
  private usable(service: ServiceState): PodState[] {
    const ready = this.state.readyEndpoints(service);
    return ready.length > 0 || !fallsBackToTerminating(this.implementation) ? ready : this.state.servingTerminatingEndpoints(service);
  }

  private internal(service: ServiceState, from: PodState, node: NodeState): Route {
    const ready = this.usable(service);
    if (ready.length === 0) return this.icmpLimited(service, from.podIP, this.noEndpoints(service));
    const localOnly = service.spec.internalTrafficPolicy === "Local" && !(this.faults.internalPolicyIgnored ?? []).includes(service.name);
    const candidates = localOnly ? ready.filter((p) => p.node === node.name) : ready;
    if (candidates.length === 0) return { kind: "drop", why: `${this.state.namespace}/${service.name} has no local endpoints on ${node.name}` };
    const pod = this.choose(service, from.podIP, candidates);
    return { kind: "endpoint", pod, host: pod.wire, port: service.targetPort, localAddress: from.podIP };
  }

  private viaNodePort(service: ServiceState, node: NodeState, clientAddress: string, policy: "local" | "cluster", remember = true): Route {
    if ((this.faults.silentNodePortNodes ?? []).includes(node.name)) return { kind: "drop", why: `node ${node.name} does not forward nodePorts (fault)` };
    if (node.notReady !== undefined) return { kind: "drop", why: `node ${node.name} is NotReady (${node.notReady.reason}): nothing there forwards` };
    const ready = this.usable(service);
    if (ready.length === 0) return this.noEndpoints(service);
    const candidates = policy === "local" ? ready.filter((p) => p.node === node.name) : ready;
    if (candidates.length === 0) return { kind: "drop", why: `${this.state.namespace}/${service.name} has no local endpoints on ${node.name}` };
    const pod = this.choose(service, clientAddress, candidates, remember);
    // Local keeps the client's address; Cluster masquerades with the node's address.
    return { kind: "endpoint", pod, host: pod.wire, port: service.targetPort, localAddress: policy === "local" ? clientAddress : node.ip };
  }

  /** kube-proxy REJECTs traffic to a Service without ready endpoints; Cilium (or a fault) DROPs it. */
  private noEndpoints(service: ServiceState): Route {
    const why = `${this.state.namespace}/${service.name} has no ready endpoints`;
    const drop = dropsWithoutEndpoints(this.implementation) || (this.faults.noEndpointsDrop ?? []).includes(service.name);
    return drop ? { kind: "drop", why } : { kind: "reject", why };
  }

  /**
   * The `icmpLimitedRefusal` fault: every other refusal to the same client is
   * lost (the kernel rate-limits the ICMP that carries it), so that
   * connection sees nothing and times out.
   */
  private icmpLimited(service: ServiceState, client: string, route: Route): Route {
    if (route.kind !== "reject" || !(this.faults.icmpLimitedRefusal ?? []).includes(service.name)) return route;
    const key = `${service.name}|${client}`;
    const refusals = (this.refusalsSent.get(key) ?? 0) + 1;
    this.refusalsSent.set(key, refusals);
    return refusals % 2 === 1 ? route : { kind: "drop", why: `${route.why}; the ICMP port-unreachable to ${client} was rate-limited` };
  }

  /** Picks an endpoint as kube-proxy does; `remember` false asks without creating affinity state. */
  private choose(service: ServiceState, client: string, candidates: PodState[], remember = true): PodState {
    if ((this.faults.pinnedServices ?? []).includes(service.name)) {
      return [...candidates].sort((a, b) => a.name.localeCompare(b.name))[0];
    }
    const sticky = service.spec.sessionAffinity === "ClientIP" && !(this.faults.affinityIgnored ?? []).includes(service.name);
    const key = `${service.name}|${client}`;
    if (sticky) {
      const remembered = candidates.find((p) => p.name === this.affinity.get(key));
      if (remembered) return remembered;
    }
    const pod = candidates[Math.floor(Math.random() * candidates.length)];
    if (sticky && remember) this.affinity.set(key, pod.name);
    return pod;
  }
}
