/**
 * `buildWorld(spec)`: a small kind cluster emulated on loopback with real
 * sockets — a fake API server, real demo-app processes as pods, stand-in
 * probe agents, and kube-proxy's view from outside (nodePorts, LoadBalancer
 * addresses, blackholed ClusterIPs and pod IPs). See docs/standin.md.
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { claimAddressPlan, type AddressPlan } from "./addresses";
import { ClusterDns } from "./cluster-dns";
import { ClusterState, type NodeState, type PodState, type ServiceState } from "./cluster-state";
import { DataPlane, type Route } from "./data-plane";
import { FakeKubeApi } from "./fake-kube-api";
import { KIND_DATA_PLANE } from "./kube-system";
import { writeKubeconfig, type KubeconfigFile } from "./kubeconfig";
import { startPodHost, type PodHost, type PodHostKind } from "./pod-host";
import { startProbeAgent, type RunningAgent } from "./probe-agent";
import { validateWorldSpec, worldSpec, type Component, type WorldSpec, type WorldSpecOverrides } from "./spec";
import { ManagedListener, type ListenerMode } from "./tcp-forwarder";

/** A running stand-in world. Always `close()` it (in `afterAll`/`finally`). */
export interface World {
  readonly spec: WorldSpec;
  readonly namespace: string;
  readonly addresses: AddressPlan;
  readonly state: ClusterState;
  readonly api: FakeKubeApi;
  /** The probe agents' token, as Secret `svclab-probe-token` holds it; send it as `x-svclab-probe-token`. */
  readonly probeToken: string;
  /** Path of a kubeconfig whose current context points at the fake API with its token. */
  readonly kubeconfigPath: string;
  /** The port Services expose: 80, or 8080 where this process may not bind ports below 1024. */
  readonly servicePort: number;
  /** The process the demo-app pods (frontend, backend) run in: this one, or the pod host's (`podHost: "child"`). */
  readonly podHostPid: number;
  /** Nodes in spec order. */
  nodes(): readonly NodeState[];
  /** Current pods, optionally of one component. */
  pods(component?: Component): readonly PodState[];
  /** A Service by name; throws naming the known ones. */
  service(name: string): ServiceState;
  /** The kubelet's readiness verdict for a pod changes; endpoints and kube-proxy rules follow. */
  setPodReady(podName: string, ready: boolean): Promise<void>;
  /** Deletes a pod; its controller creates a replacement (new name, new pod IP) on the same node. */
  replacePod(podName: string): Promise<PodState>;
  /**
   * Tears everything down: no listener, socket, timer or child process is left.
   * Rejects (after tearing down) if the pod host's process died on its own.
   */
  close(): Promise<void>;
}

/** How a world runs, apart from what cluster it plays. */
export interface WorldOptions {
  /**
   * Where the demo-app pods run. Default `"in-process"`. `"child"` runs them in one
   * child process (the pod host), so a big world keeps two cores busy: the
   * sized benchmark's choice. The world behaves the same either way.
   */
  readonly podHost?: PodHostKind;
}

/** Starts a world from a full spec or from overrides of the default svclab lab. */
export async function buildWorld(specOrOverrides: WorldSpec | WorldSpecOverrides = {}, options: WorldOptions = {}): Promise<World> {
  const spec = "nodes" in specOrOverrides && "workloads" in specOrOverrides && "services" in specOrOverrides && "faults" in specOrOverrides
    ? (specOrOverrides as WorldSpec)
    : worldSpec(specOrOverrides);
  validateWorldSpec(spec);
  const addresses = await claimAddressPlan();
  const world = new RunningWorld(spec, addresses, options.podHost ?? "in-process");
  try {
    await world.start();
  } catch (error) {
    // The build's own error says more than the clean-up's (a pod host that died says it in both).
    await world.close().catch(() => undefined);
    throw error;
  }
  return world;
}

interface PodProcess {
  close(): Promise<void>;
}

class RunningWorld implements World {
  readonly state: ClusterState;
  readonly api: FakeKubeApi;
  readonly namespace: string;
  servicePort = 80;
  private readonly plane: DataPlane;
  private readonly dns: ClusterDns;
  private readonly processes = new Map<string, PodProcess>();
  /** Started in `start()`, inside buildWorld's clean-up, since a child process must not outlive a failed build. */
  private podHost: PodHost | undefined;
  private readonly listeners = new Map<string, ManagedListener>();
  private readonly dropSink: ManagedListener;
  private kubeconfig: KubeconfigFile | undefined;
  readonly probeToken: string;
  private readonly agentToken: string;
  private closed = false;

  constructor(readonly spec: WorldSpec, readonly addresses: AddressPlan, private readonly podHostKind: PodHostKind) {
    this.namespace = spec.namespace;
    this.state = new ClusterState(spec.namespace, addresses, spec.faults, spec.ipFamily === "dual");
    this.plane = new DataPlane(this.state, spec.faults, addresses, spec.dataPlane ?? KIND_DATA_PLANE);
    this.dns = new ClusterDns(this.state, spec.faults);
    this.dropSink = new ManagedListener(addresses.dropAddress, 0, () => ({ kind: "drop", why: "sink" }));
    // In a dual-stack world the first node also has an IPv6 address: ::1, the only one a test may use.
    spec.nodes.forEach((node, index) => this.state.addNode(node.name, node.role, spec.ipFamily === "dual" && index === 0 ? "::1" : undefined, node.notReady));
    // The kit's per-lab probe token; `stale` agents hold another one (a rotation not yet copied into the pods).
    this.probeToken = randomBytes(32).toString("base64url");
    this.agentToken = spec.faults.probeTokenSecret === "stale" ? randomBytes(32).toString("base64url") : this.probeToken;
    this.api = new FakeKubeApi(this.state, this.plane, randomBytes(24).toString("base64url"), this.state.nodes.find((n) => n.role === "control-plane")?.ip ?? this.state.nodes[0].ip, spec.faults, spec.dataPlane ?? KIND_DATA_PLANE);
    this.api.probeToken = this.probeToken;
  }

  get kubeconfigPath(): string {
    if (!this.kubeconfig) throw new Error("the world has no kubeconfig yet (not started) or was closed");
    return this.kubeconfig.path;
  }

  get podHostPid(): number {
    if (!this.podHost) throw new Error("the world has no pod host yet (not started)");
    return this.podHost.pid;
  }

  async start(): Promise<void> {
    this.podHost = startPodHost(this.podHostKind);
    this.servicePort = (await canBind(this.addresses.scratchAddress, 80)) ? 80 : 8080;
    this.state.reserveNodePorts(this.spec.services.map((s) => s.nodePort));
    for (const service of this.spec.services) this.state.addService({ ...service, port: service.port ?? this.servicePort });
    const workers = this.state.nodes.filter((n) => n.role === "worker");
    // The control-plane taint keeps workloads off it unless it is the only node (as on a one-node kind cluster).
    const schedulable = workers.length > 0 ? workers : this.state.nodes;
    // Pods on a NotReady node are not ready: the node lifecycle controller marks them so.
    const nodeReady = (name: string) => this.state.node(name).notReady === undefined;
    for (const workload of this.spec.workloads) {
      for (let i = 0; i < workload.replicas; i++) {
        const node = schedulable[i % schedulable.length].name;
        const pod = this.state.addPod(workload.component, node, !(workload.notReady ?? []).includes(i) && nodeReady(node));
        pod.terminating = (workload.terminating ?? []).includes(i);
      }
    }
    for (const node of this.state.nodes) {
      if (!(this.spec.faults.missingProbeAgents ?? []).includes(node.name)) this.state.addPod("probe", node.name, nodeReady(node.name));
    }
    await this.dropSink.setMode("silent");
    await Promise.all(this.state.pods.map((pod) => this.startPod(pod)));
    await this.reconcile();
    await this.api.start();
    this.kubeconfig = writeKubeconfig(this.spec.contextName, this.api.url, this.api.token, this.namespace);
  }

  nodes(): readonly NodeState[] {
    return this.state.nodes;
  }

  pods(component?: Component): readonly PodState[] {
    return this.state.pods.filter((p) => component === undefined || p.component === component);
  }

  service(name: string): ServiceState {
    const service = this.state.service(name);
    if (!service) throw new Error(`Service ${this.namespace}/${name} does not exist; Services are ${this.state.services.map((s) => s.name).join(", ")}`);
    return service;
  }

  async setPodReady(podName: string, ready: boolean): Promise<void> {
    this.podHost?.check();
    const pod = this.state.pod(podName);
    pod.ready = ready;
    if (pod.component !== "probe") await setAppReadiness(pod, ready);
    await this.reconcile();
  }

  async replacePod(podName: string): Promise<PodState> {
    this.podHost?.check();
    const old = this.state.removePod(podName);
    await this.processes.get(podName)?.close();
    this.processes.delete(podName);
    const fresh = this.state.addPod(old.component, old.node, true);
    await this.startPod(fresh);
    await this.reconcile();
    return fresh;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.api.stop();
    await Promise.all([...this.listeners.values()].map((l) => l.setMode("closed")));
    await Promise.all([...this.processes.values()].map((p) => p.close()));
    // A pod host that died on its own is reported, once everything else is torn down.
    let hostFailure: Error | undefined;
    await this.podHost?.close().catch((error: Error) => {
      hostFailure = error;
    });
    await this.dropSink.setMode("closed");
    this.kubeconfig?.remove();
    await this.addresses.release();
    if (hostFailure) throw hostFailure;
  }

  private async startPod(pod: PodState): Promise<void> {
    if (pod.component === "probe") {
      const agent: RunningAgent = await startProbeAgent(pod, this.namespace, this.plane, this.dns, {
        rejectHost: this.addresses.rejectAddress, dropHost: this.addresses.dropAddress, dropPort: this.dropSink.boundPort!,
      }, this.agentToken);
      this.processes.set(pod.name, { close: () => agent.close() });
      return;
    }
    let egress: ManagedListener | undefined;
    const env: Record<string, string> = {
      ROLE: pod.component, POD_NAME: pod.name, POD_NAMESPACE: this.namespace, NODE_NAME: pod.node, POD_IP: pod.podIP,
      APP_VERSION: "standin", PORT: String(pod.listenPort),
    };
    if (pod.component === "frontend") {
      // The frontend's BACKEND_URL goes through a per-pod egress listener that plays the pod's
      // resolver + kube-proxy for the backend Service, so no real DNS query ever leaves the machine.
      const backend = this.state.service("backend");
      egress = new ManagedListener(pod.wire, 0, (): Route => backend?.clusterIP
        ? this.plane.fromPod(pod, backend.clusterIP, backend.port)
        : { kind: "reject", why: `Service ${this.namespace}/backend does not exist` });
      await egress.setMode("forward");
      env.BACKEND_URL = `http://${pod.wire}:${egress.boundPort}/`;
    }
    const host = this.podHost!;
    await host.start({ name: pod.name, env, host: pod.wire, port: pod.listenPort });
    // Over HTTP, as the kubelet's verdict always goes, so it reaches the app wherever it runs.
    if (!pod.ready) await setAppReadiness(pod, false);
    this.processes.set(pod.name, {
      close: async () => {
        await host.stop(pod.name);
        await egress?.setMode("closed");
      },
    });
  }

  /** Brings the outside listeners in line with the state, as kube-proxy resyncs its rules. */
  private async reconcile(): Promise<void> {
    const desired = new Map<string, { host: string; port: number; mode: ListenerMode; route: (client: string) => Route }>();
    const blackhole: ListenerMode = this.spec.outsideBlackhole === "silent" ? "silent" : "closed";
    const faults = this.spec.faults;
    for (const service of this.state.services) {
      if (service.nodePort !== undefined) {
        for (const node of this.state.nodes) {
          if (node.ipv6 !== undefined && service.clusterIPv6 !== undefined) {
            const mode = this.plane.nodePortMode(service, node);
            desired.set(`[${node.ipv6}]:${service.nodePort}`, {
              host: node.ipv6, port: service.nodePort, mode: mode === "forward" ? "forward" : mode === "drop" ? "silent" : "closed",
              route: (client) => this.plane.atNodePort(service, node, client),
            });
          }
          const mode = this.plane.nodePortMode(service, node);
          desired.set(`${node.ip}:${service.nodePort}`, {
            host: node.ip, port: service.nodePort, mode: mode === "forward" ? "forward" : mode === "drop" ? "silent" : "closed",
            route: (client) => this.plane.atNodePort(service, node, client),
          });
        }
      }
      if (service.loadBalancerIP) {
        desired.set(`${service.loadBalancerIP}:${service.port}`, {
          host: service.loadBalancerIP,
          port: service.port,
          mode: (faults.silentLoadBalancers ?? []).includes(service.name) ? "silent" : modeFor(this.plane.atLoadBalancer(service, "127.0.0.1", false)),
          route: (client) => this.plane.atLoadBalancer(service, client),
        });
      }
      if (service.clusterIP) {
        const routed = (faults.clusterIPAnswersFromOutside ?? []).includes(service.name);
        desired.set(`${service.clusterIP}:${service.port}`, {
          host: service.clusterIP, port: service.port, mode: routed ? "forward" : blackhole,
          route: (client) => this.plane.routedClusterIP(service, client),
        });
      }
    }
    for (const pod of this.state.pods) {
      const routed = this.spec.podNetwork === "routable" || (faults.podIPsAnswerFromOutside ?? []).includes(pod.component);
      for (const port of new Set([3000, pod.listenPort])) {
        desired.set(`${pod.podIP}:${port}`, {
          host: pod.podIP, port, mode: routed ? "forward" : blackhole,
          route: (client) => ({ kind: "endpoint", pod, host: pod.wire, port, localAddress: client }),
        });
      }
    }
    const changes: Promise<void>[] = [];
    for (const [key, listener] of this.listeners) {
      if (!desired.has(key)) {
        changes.push(listener.setMode("closed"));
        this.listeners.delete(key);
      }
    }
    for (const [key, want] of desired) {
      let listener = this.listeners.get(key);
      if (!listener) {
        listener = new ManagedListener(want.host, want.port, (client) => want.route(client));
        this.listeners.set(key, listener);
      }
      changes.push(listener.setMode(want.mode));
    }
    await Promise.all(changes);
  }
}

/** The listener mode that plays a route: DROP is a silent listener, REJECT is no listener at all. */
function modeFor(route: Route): ListenerMode {
  return route.kind === "drop" ? "silent" : route.kind === "reject" || route.kind === "unroutable" ? "closed" : "forward";
}

/** Whether this process may bind `port` (ports below 1024 need root or CAP_NET_BIND_SERVICE). */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port }, () => server.close(() => resolve(true)));
  });
}

/**
 * Flips the app's own readiness switch (`POST /readyz`, docs/CONTRACTS.md) so
 * its `/readyz` agrees with what the world's kubelet reports.
 */
function setAppReadiness(pod: PodState, ready: boolean): Promise<void> {
  const body = JSON.stringify({ ready });
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: pod.wire, port: pod.listenPort, path: "/readyz", method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve());
      },
    );
    request.on("error", (error) => reject(new Error(`cannot switch readiness of pod ${pod.name}: ${error.message}`)));
    request.end(body);
  });
}
