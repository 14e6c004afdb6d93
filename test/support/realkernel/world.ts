/**
 * `startKernelWorld()`: the captured v1.24 cluster rebuilt in network
 * namespaces on this machine's kernel (see docs/realkernel.md).
 *
 * - a `network` namespace holds a bridge, as kind's Docker network; the root
 *   namespace ("outside", the machine running the verifier) plugs into it at
 *   198.18.0.1 and each node namespace at its captured InternalIP;
 * - each node routes the other nodes' pod CIDRs to them (kind's CNI does the
 *   same) and runs kube-proxy's captured rules, restored unchanged;
 * - each captured pod is a namespace behind its node (a veth, the node's end
 *   holding the pod CIDR's gateway address, as the ptp CNI plugin does) running
 *   the real demo app with the pod's environment and a kubelet-style
 *   resolv.conf pointing at the cluster DNS ClusterIP;
 * - the DNS pod (the address kube-proxy DNATs kube-dns to) runs a DNS server
 *   answering from the captured objects; the control-plane node runs the
 *   captured-objects API server at the address default/kubernetes DNATs to.
 *
 * Safety: the root namespace routes 198.18.0.0/15 to `unreachable`, with more
 * specific routes only for the world's own link and LoadBalancer addresses;
 * nodes and pods have no default route, only 198.18.0.0/15 (nodes towards the
 * root namespace, pods towards their node), so no packet of the world can
 * leave the machine.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { allowWorldAddresses } from "../network-guard";
import { probeTokenSecretObject } from "../standin/k8s-objects";
import { kubeconfigYaml } from "../standin/kubeconfig";
import { loadCapture, type Capture, type CapturedNode, type CapturedPod, type Scenario } from "./capture";
import { inNamespace, ipBatch, run } from "./commands";
import { acquireWorldLock, deleteNamespaces, removeLeftovers, WORLD_ROUTE_PROTO } from "./leftovers";
import { worldNames, type WorldNames } from "./names";
import { writeObjectsFile } from "./objects-file";
import { startInNamespace, type NamespaceProcess } from "./pod-process";
import type { IptablesTools } from "./prerequisites";

/** The root namespace's address on the world's network: the Docker network gateway's place on kind. */
export const OUTSIDE_ADDRESS = "198.18.0.1";
const NODE_PREFIX_LENGTH = 24;
/** The whole range the world lives in; the root namespace routes it to `unreachable`. */
export const WORLD_RANGE = "198.18.0.0/15";
const CLUSTER_DOMAIN = "cluster.local";
const ETC_NETNS = "/etc/netns";

export interface KernelWorldOptions {
  /** From {@link checkRealKernel}. */
  readonly iptables: IptablesTools;
  /** Default: `ready`. */
  readonly scenario?: Scenario;
  readonly capture?: Capture;
  /** Project root holding `dist/` (built with `tsc -p tsconfig.json`); default: found above this file. */
  readonly projectDir?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** A running world. Always `close()` it (in `afterAll`/`finally`). */
export interface KernelWorld {
  readonly names: WorldNames;
  readonly capture: Capture;
  readonly iptables: IptablesTools;
  /** The Kubernetes namespace of the lab (`svclab`). */
  readonly namespace: string;
  readonly kubeconfigPath: string;
  readonly scenario: Scenario;
  /** The network namespace of a captured node, by node name. */
  nodeNamespace(node: string): string;
  /** Runs `argv` in a node's network namespace (what `docker exec <node>` is on kind); resolves with stdout. */
  execInNode(node: string, argv: readonly string[], input?: string): Promise<string>;
  /** `iptables-save` of a node (the backend the rules were restored with). */
  iptablesSave(node: string): Promise<string>;
  /** Runs `iptables <args>` in a node. */
  iptablesIn(node: string, args: readonly string[]): Promise<string>;
  /** Restores a node's captured rules for the current scenario (undoing a fault made with iptables). */
  restoreRules(node: string): Promise<void>;
  /** Switches every node's rules, the served objects and the apps' readiness to a scenario. */
  useScenario(scenario: Scenario): Promise<void>;
  /** Adds a route in the root namespace through a node; the returned function removes it. */
  routeFromOutside(cidr: string, viaNode: string): Promise<() => Promise<void>>;
  /** Kills a pod's process (its namespace and addresses stay, as a crashed container's). */
  stopPod(pod: string): Promise<void>;
  /** Starts a stopped pod's process again. */
  startPod(pod: string): Promise<void>;
  close(): Promise<void>;
}

/** The project root: the directory above this file holding package.json (works from test/ and from dist/test/). */
function findProjectDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && path.basename(dir) !== "dist") return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Builds and starts a world; on any failure everything built so far is removed before the error is thrown. */
export async function startKernelWorld(options: KernelWorldOptions): Promise<KernelWorld> {
  const releaseLock = await acquireWorldLock();
  const world = new RunningKernelWorld(options, releaseLock);
  try {
    await world.start();
  } catch (error) {
    await world.close().catch(() => undefined);
    throw error;
  }
  return world;
}

class RunningKernelWorld implements KernelWorld {
  readonly names = worldNames();
  readonly capture: Capture;
  readonly iptables: IptablesTools;
  readonly namespace: string;
  scenario: Scenario;
  private readonly projectDir: string;
  private readonly log: (line: string) => void;
  private readonly token = randomBytes(24).toString("base64url");
  /** The probe agents' token (the kit keeps one per lab in Secret svclab-probe-token; the capture predates it). */
  private readonly probeToken = randomBytes(32).toString("base64url");
  private readonly runDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-realkernel-"));
  private readonly processes = new Map<string, NamespaceProcess>();
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private closed = false;

  constructor(options: KernelWorldOptions, releaseLock: () => void) {
    this.capture = options.capture ?? loadCapture();
    this.iptables = options.iptables;
    this.scenario = options.scenario ?? "ready";
    this.namespace = this.capture.namespace;
    this.projectDir = options.projectDir ?? findProjectDir();
    this.log = options.log ?? (() => undefined);
    this.cleanups.push(releaseLock, () => fs.rmSync(this.runDir, { recursive: true, force: true }));
  }

  get kubeconfigPath(): string {
    return path.join(this.runDir, "kubeconfig");
  }

  private get objectsFile(): string {
    return path.join(this.runDir, "objects.json");
  }

  /** The file probe pods read their token from, as the kit mounts the Secret (PROBE_TOKEN_FILE). */
  private get probeTokenFile(): string {
    return path.join(this.runDir, "probe-token");
  }

  /** The scenario's captured objects plus the probe token's Secret. */
  private writeObjects(): void {
    writeObjectsFile(this.objectsFile, { ...this.capture.objects(this.scenario), secrets: [probeTokenSecretObject(this.namespace, this.probeToken)] });
  }

  private get dnsPodName(): string {
    return "cluster-dns";
  }

  nodeNamespace(node: string): string {
    this.node(node);
    return this.names.node(node);
  }

  execInNode(node: string, argv: readonly string[], input?: string): Promise<string> {
    return inNamespace(this.nodeNamespace(node), argv, input);
  }

  iptablesSave(node: string): Promise<string> {
    return this.execInNode(node, [this.iptables.save]);
  }

  iptablesIn(node: string, args: readonly string[]): Promise<string> {
    return this.execInNode(node, [this.iptables.iptables, ...args]);
  }

  async restoreRules(node: string): Promise<void> {
    await this.execInNode(node, [this.iptables.restore], this.capture.rules(this.scenario, node));
  }

  async useScenario(scenario: Scenario): Promise<void> {
    this.scenario = scenario;
    this.writeObjects();
    await Promise.all(this.capture.nodes.map((n) => this.restoreRules(n.name)));
    await this.matchAppReadiness();
  }

  async routeFromOutside(cidr: string, viaNode: string): Promise<() => Promise<void>> {
    const via = this.node(viaNode).ip;
    await run(["ip", "route", "add", cidr, "via", via, "dev", this.names.prefix]);
    return async () => {
      await run(["ip", "route", "del", cidr, "via", via, "dev", this.names.prefix]).catch(() => undefined);
    };
  }

  async stopPod(pod: string): Promise<void> {
    this.pod(pod);
    await this.processes.get(pod)?.kill();
    this.processes.delete(pod);
  }

  async startPod(pod: string): Promise<void> {
    if (this.processes.has(pod)) return;
    await this.startApp(this.pod(pod));
  }

  async start(): Promise<void> {
    const began = performance.now();
    const removed = await removeLeftovers();
    if (removed.length > 0) this.log(`removed leftovers of an earlier run: ${removed.join(", ")}`);
    this.writeObjects();
    fs.writeFileSync(this.probeTokenFile, this.probeToken, { mode: 0o600 });
    const server = `http://${this.capture.apiServer.ip}:${this.capture.apiServer.port}`;
    fs.writeFileSync(this.kubeconfigPath, kubeconfigYaml(`${this.names.prefix}-captured`, server, this.token, this.namespace), { mode: 0o600 });
    // From here on, close() must undo what exists; it tolerates the parts that were never made.
    this.cleanups.push(() => this.teardownNetwork());
    await this.buildNetwork();
    this.cleanups.push(allowWorldAddresses(this.names.prefix, this.addresses()));
    await Promise.all(this.capture.nodes.map((n) => this.restoreRules(n.name)));
    await this.startProcesses();
    await this.matchAppReadiness();
    this.log(`world ${this.names.prefix} up in ${((performance.now() - began) / 1000).toFixed(1)} s (iptables ${this.iptables.backend})`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: string[] = [];
    await Promise.all([...this.processes.values()].map((p) => p.kill()));
    this.processes.clear();
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (errors.length > 0) throw new Error(`removing world ${this.names.prefix} left errors: ${errors.join("; ")}`);
  }

  // ---- building -------------------------------------------------------------

  private node(name: string): CapturedNode {
    const node = this.capture.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in the world; nodes are ${this.capture.nodes.map((n) => n.name).join(", ")}`);
    return node;
  }

  private pod(name: string): CapturedPod {
    const pod = this.capture.pods.find((p) => p.name === name);
    if (!pod) throw new Error(`no pod ${name} in the world; pods are ${this.capture.pods.map((p) => p.name).join(", ")}`);
    return pod;
  }

  /** Every pod namespace: the captured pods and the DNS pod. */
  private podPlacements(): { name: string; node: CapturedNode; ip: string }[] {
    return [
      ...this.capture.pods.map((p) => ({ name: p.name, node: this.node(p.node), ip: p.ip })),
      { name: this.dnsPodName, node: this.node(this.capture.clusterDns.node), ip: this.capture.clusterDns.podIP },
    ];
  }

  /** What the tests in this process may send to (network guard): every address the world owns or translates. */
  private addresses(): string[] {
    const c = this.capture;
    return [...new Set([
      ...c.nodes.map((n) => n.ip), ...c.pods.map((p) => p.ip), c.clusterDns.podIP, c.clusterDns.serviceIP, ...c.clusterIPs, ...c.loadBalancerIPs,
    ])];
  }

  /** The node that answers for the LoadBalancer addresses, as a layer-2 announcer would: the last worker. */
  private loadBalancerNode(): CapturedNode {
    const workers = this.capture.nodes.filter((n) => n.role === "worker");
    return workers[workers.length - 1] ?? this.capture.nodes[0];
  }

  private async buildNetwork(): Promise<void> {
    const n = this.names;
    const pods = this.podPlacements();
    const nodes = this.capture.nodes;
    await ipBatch([
      `netns add ${n.network}`,
      ...nodes.map((node) => `netns add ${n.node(node.name)}`),
      ...pods.map((pod) => `netns add ${n.pod(pod.name)}`),
      `link add ${n.prefix} type veth peer name uplink netns ${n.network}`,
      ...nodes.map((node, i) => `link add eth0 netns ${n.node(node.name)} type veth peer name node${i} netns ${n.network}`),
      ...pods.map((pod, i) => `link add eth0 netns ${n.pod(pod.name)} type veth peer name pod${i} netns ${n.node(pod.node.name)}`),
    ]);
    await Promise.all([
      ipBatch([
        "link set lo up",
        "link add br0 type bridge",
        "link set br0 up",
        "link set uplink master br0 up",
        ...nodes.map((_node, i) => `link set node${i} master br0 up`),
      ], n.network),
      ...nodes.map((node) => ipBatch([
        "link set lo up",
        `addr add ${node.ip}/${NODE_PREFIX_LENGTH} dev eth0`,
        "link set eth0 up",
        ...pods.flatMap((pod, i) => pod.node.name !== node.name ? [] : [
          `addr add ${node.gateway}/32 dev pod${i}`,
          `link set pod${i} up`,
          `route add ${pod.ip}/32 dev pod${i}`,
        ]),
        ...nodes.filter((other) => other.name !== node.name).map((other) => `route add ${other.podCIDR} via ${other.ip}`),
        // A kind node's default route leads to the Docker network's gateway; here only the world's
        // range does (the root namespace answers "unreachable" for what nobody owns). Without it,
        // a packet kube-proxy did not translate would die in routing before its filter rules
        // (the "has no endpoints" REJECT) ever see it.
        `route add ${WORLD_RANGE} via ${OUTSIDE_ADDRESS} dev eth0`,
      ], n.node(node.name))),
      ...pods.map((pod) => ipBatch([
        "link set lo up",
        `addr add ${pod.ip}/32 dev eth0`,
        "link set eth0 up",
        `route add ${pod.node.gateway} dev eth0 scope link`,
        // Only the world's range: anything else has no route in a pod.
        `route add ${WORLD_RANGE} via ${pod.node.gateway} dev eth0`,
      ], n.pod(pod.name))),
    ]);
    await Promise.all(nodes.map((node) => inNamespace(n.node(node.name), ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])));
    const resolvConf = `search ${this.namespace}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}\nnameserver ${this.capture.clusterDns.serviceIP}\noptions ndots:5\n`;
    for (const pod of this.capture.pods) {
      // `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc: the pod's resolv.conf, as the kubelet writes it for dnsPolicy ClusterFirst.
      fs.mkdirSync(path.join(ETC_NETNS, n.pod(pod.name)), { recursive: true });
      fs.writeFileSync(path.join(ETC_NETNS, n.pod(pod.name), "resolv.conf"), resolvConf);
    }
    await this.ensureUnreachableRange();
    await ipBatch([
      `addr add ${OUTSIDE_ADDRESS}/${NODE_PREFIX_LENGTH} dev ${n.prefix}`,
      `link set ${n.prefix} up`,
      ...this.capture.loadBalancerIPs.map((ip) => `route add ${ip}/32 via ${this.loadBalancerNode().ip} dev ${n.prefix}`),
    ]);
  }

  /**
   * `unreachable 198.18.0.0/15` in the root namespace, marked with the world's
   * route protocol so a killed run's route is known as a leftover. One that
   * was there already without the mark is someone else's and stays after us.
   */
  private async ensureUnreachableRange(): Promise<void> {
    const existing = await run(["ip", "route", "show", "type", "unreachable", WORLD_RANGE]);
    if (existing.trim() === "") await run(["ip", "route", "add", "unreachable", WORLD_RANGE, "proto", WORLD_ROUTE_PROTO]);
    else if (!new RegExp(`proto ${WORLD_ROUTE_PROTO}\\b`).test(existing)) return;
    this.cleanups.push(async () => {
      await run(["ip", "route", "del", "unreachable", WORLD_RANGE, "proto", WORLD_ROUTE_PROTO]).catch(() => undefined);
    });
  }

  private async teardownNetwork(): Promise<void> {
    const n = this.names;
    const all = [n.network, ...this.capture.nodes.map((node) => n.node(node.name)), ...this.podPlacements().map((pod) => n.pod(pod.name))];
    const existing = new Set((await run(["ip", "netns", "list"])).split("\n").map((line) => line.trim().split(/\s+/)[0]));
    await deleteNamespaces(all.filter((name) => existing.has(name)));
    // Deleting the network namespace took the root link's peer, and so the link and its routes, with it.
    await run(["ip", "link", "del", n.prefix]).catch(() => undefined);
    for (const pod of this.capture.pods) fs.rmSync(path.join(ETC_NETNS, n.pod(pod.name)), { recursive: true, force: true });
  }

  // ---- processes ------------------------------------------------------------

  private async startProcesses(): Promise<void> {
    const entry = path.join(this.projectDir, "dist", "test", "support", "realkernel", "namespace-process.js");
    const app = path.join(this.projectDir, "dist", "apps", "src", "main.js");
    for (const file of [entry, app]) {
      if (!fs.existsSync(file)) throw new Error(`${file} does not exist: build first (npx tsc -p tsconfig.json, as npm test does)`);
    }
    const dns = this.capture.clusterDns;
    const api = this.capture.apiServer;
    const starts: Promise<NamespaceProcess>[] = [
      startInNamespace("cluster DNS", this.names.pod(this.dnsPodName), [process.execPath, entry, "dns", this.objectsFile, dns.podIP, "53"], {}),
      startInNamespace("API server", this.names.node(this.capture.nodes.find((x) => x.ip === api.ip)?.name ?? this.capture.nodes[0].name),
        [process.execPath, entry, "api", this.objectsFile, api.ip, String(api.port)], { SVCLAB_WORLD_TOKEN: this.token }),
    ];
    const started = await Promise.allSettled([...starts, ...this.capture.pods.map((pod) => this.startApp(pod).then(() => this.processes.get(pod.name)!))]);
    for (const [i, result] of started.entries()) {
      if (result.status === "fulfilled" && i < starts.length) this.processes.set(i === 0 ? "@dns" : "@api", result.value);
    }
    const failed = started.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw new Error(failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("; "));
  }

  private async startApp(pod: CapturedPod): Promise<void> {
    const app = path.join(this.projectDir, "dist", "apps", "src", "main.js");
    // Probe agents also get the token file the kit mounts from its Secret; the captured pod spec predates it.
    const env = pod.component === "probe" ? { ...pod.env, PROBE_TOKEN_FILE: this.probeTokenFile } : pod.env;
    const started = await startInNamespace(`pod ${pod.name}`, this.names.pod(pod.name), [process.execPath, app], env);
    this.processes.set(pod.name, started);
  }

  /**
   * The apps' own readiness switch (`POST /readyz`) follows the served pods'
   * Ready condition, sent through the API server's pods proxy — the only way
   * from outside to a pod, as on a cluster.
   */
  private async matchAppReadiness(): Promise<void> {
    const objects = this.capture.objects(this.scenario);
    await Promise.all(this.capture.pods.filter((p) => p.component !== "probe" && this.processes.has(p.name)).map((pod) => {
      const raw = objects.pods.find((o) => o.metadata.name === pod.name);
      const ready = (raw?.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
      return this.proxyPost(pod.name, "/readyz", JSON.stringify({ ready }));
    }));
  }

  private proxyPost(pod: string, pathname: string, body: string): Promise<void> {
    const api = this.capture.apiServer;
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: api.ip, port: api.port, method: "POST", agent: false,
        path: `/api/v1/namespaces/${this.namespace}/pods/${pod}:3000/proxy${pathname}`,
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      }, (response) => {
        response.resume();
        response.on("end", () => (response.statusCode === 200 || response.statusCode === 503
          ? resolve()
          : reject(new Error(`POST ${pathname} to pod ${pod} through the API answered HTTP ${response.statusCode}`))));
      });
      request.on("error", (error) => reject(new Error(`POST ${pathname} to pod ${pod} through the API: ${error.message}`)));
      request.end(body);
    });
  }
}
