/**
 * The stack's configuration: the one place that reads `pulumi.Config`. Every
 * key is read once with a typed getter and checked before any resource
 * exists; an error names the key, the bad value and what is allowed. The keys,
 * types and defaults are declared again in Pulumi.yaml (a test keeps the two
 * in step).
 */
// Types only: the runner checks a stack's config with these rules before
// `pulumi up`, and must not pay for loading the Pulumi SDK or the components.
import type * as pulumi from "@pulumi/pulumi";
import { closest } from "fastest-levenshtein";
import { isIP } from "node:net";
import { homedir } from "node:os";
import {
  DEFAULT_LISTEN_ADDRESS,
  DEFAULT_NODE_IMAGE,
  DEFAULT_POD_SUBNET,
  DEFAULT_SERVICE_SUBNET,
  FAMILY_SUBNETS,
  IP_FAMILIES,
  IpFamily,
  KUBE_PROXY_MODES,
  KubeProxyMode,
  MIN_WORKERS,
  assertSubnetForFamily,
  isCidr,
} from "../components/kind-config";
import { DEFAULT_LOCAL_NODE_PORT, DEFAULT_NODE_PORT, SERVICE_KINDS, ServiceKind } from "../components/service-plan";
import {
  InvalidInputError,
  assertDns1035Label,
  assertDns1123Subdomain,
  assertIntegerAtLeast,
  assertNodePort,
  assertOneOf,
  assertUnique,
  formatValue,
} from "../components/validation";

/** `kind`: create a kind cluster; `existing`: use a kubeconfig context. */
export const CLUSTER_MODES = ["kind", "existing"] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

/** `cloud-provider-kind`: run it so LoadBalancer Services get an address; `none`: do not. */
export const LOAD_BALANCER_MODES = ["cloud-provider-kind", "none"] as const;
export type LoadBalancerMode = (typeof LOAD_BALANCER_MODES)[number];

/** One host port forwarded to a NodePort on the kind control-plane node. */
export interface HostPortMapping {
  readonly listenAddress: string;
  readonly hostPort: number;
  readonly nodePort: number;
}

/** The validated, defaulted stack configuration. */
export interface LabConfig {
  readonly cluster: ClusterMode;
  readonly clusterName: string;
  readonly workers: number;
  readonly nodeImage: string;
  /** IP families of the kind cluster network. */
  readonly ipFamily: IpFamily;
  /** kube-proxy mode of the kind cluster. */
  readonly kubeProxyMode: KubeProxyMode;
  /** Pod network CIDR(s); kind's for the family when left at the IPv4 default under ipv6/dual. */
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  /** Path of the kubeconfig file (`existing` mode only), `~/` expanded. */
  readonly kubeconfig?: string;
  /** Context in that file (`existing` mode only). */
  readonly kubeContext?: string;
  readonly namespace: string;
  readonly frontendReplicas: number;
  readonly backendReplicas: number;
  readonly services: readonly ServiceKind[];
  readonly nodePort: number;
  readonly localNodePort: number;
  readonly hostPorts: readonly HostPortMapping[];
  readonly listenAddress: string;
  /** CNAME target of `backend-external`; undefined means the backend's cluster FQDN. */
  readonly externalName?: string;
  /** A prebuilt demo image to use instead of building one. */
  readonly image?: string;
  readonly loadBalancer: LoadBalancerMode;
}

/** Default values, the same as Pulumi.yaml declares. */
export const CONFIG_DEFAULTS = {
  cluster: "kind",
  clusterName: "svclab",
  workers: 2,
  nodeImage: DEFAULT_NODE_IMAGE,
  ipFamily: "ipv4",
  kubeProxyMode: "iptables",
  podSubnet: DEFAULT_POD_SUBNET,
  serviceSubnet: DEFAULT_SERVICE_SUBNET,
  namespace: "svclab",
  frontendReplicas: 3,
  backendReplicas: 2,
  services: [...SERVICE_KINDS],
  nodePort: DEFAULT_NODE_PORT,
  localNodePort: DEFAULT_LOCAL_NODE_PORT,
  hostPorts: [`${DEFAULT_NODE_PORT}:${DEFAULT_NODE_PORT}`],
  listenAddress: DEFAULT_LISTEN_ADDRESS,
  loadBalancer: "cloud-provider-kind",
  // "" means "not set": Pulumi treats a declared key without a default as required.
  kubeconfig: "",
  kubeContext: "",
  externalName: "",
  image: "",
} as const;

/** A string key whose declared default is "" (unset); blank values count as unset too. */
function optionalString(config: ConfigReader, key: string): string | undefined {
  const value = config.get(key);
  return value === undefined || value.trim() === "" ? undefined : value;
}

function assertImageReference(key: string, value: string): void {
  if (value.trim() === "" || /\s/.test(value)) {
    throw new InvalidInputError(key, value, `${key} must be an image reference without spaces; got ${formatValue(value)}`);
  }
}

function assertStringArray(key: string, value: unknown, example: string): asserts value is string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new InvalidInputError(key, value, `${key} must be a JSON array of strings such as ${example}; got ${JSON.stringify(value)}`);
  }
}

function assertPortNumber(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidInputError(field, value, `${field} must be a port from 1 to 65535; got ${formatValue(value)}`);
  }
}

/**
 * Parses one `hostPorts` entry, `hostPort:nodePort` or
 * `listenAddress:hostPort:nodePort` (IPv4 listen addresses).
 */
export function parseHostPort(field: string, entry: string, defaultListenAddress: string): HostPortMapping {
  const parts = entry.split(":");
  const numeric = /^\d+$/;
  if ((parts.length !== 2 && parts.length !== 3) || !parts.slice(-2).every((p) => numeric.test(p))) {
    throw new InvalidInputError(
      field,
      entry,
      `${field} must be "hostPort:nodePort" or "listenAddress:hostPort:nodePort" such as "30080:30080" or "127.0.0.1:8080:30080"; got ${formatValue(entry)}`,
    );
  }
  const listenAddress = parts.length === 3 ? parts[0] : defaultListenAddress;
  if (isIP(listenAddress) !== 4) {
    throw new InvalidInputError(field, entry, `${field} listen address must be an IPv4 address such as 127.0.0.1; got ${formatValue(listenAddress)}`);
  }
  const hostPort = Number(parts[parts.length - 2]);
  const nodePort = Number(parts[parts.length - 1]);
  assertPortNumber(`${field} host port`, hostPort);
  assertNodePort(`${field} nodePort`, nodePort);
  return { listenAddress, hostPort, nodePort };
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

/**
 * The node port of `frontend-local` (externalTrafficPolicy Local) answers
 * only on nodes running a frontend pod, so its host port is published from
 * the first worker (stacks/lab.ts); the frontend's spread puts a pod on every
 * worker only when there are at least as many replicas as workers.
 */
function assertLocalHostPortServed(
  cluster: string,
  kinds: readonly ServiceKind[],
  localNodePort: number,
  hostPorts: readonly HostPortMapping[],
  frontendReplicas: number,
  workers: number,
): void {
  const index = hostPorts.findIndex((m) => m.nodePort === localNodePort);
  if (cluster !== "kind" || !kinds.includes("etp-local") || index === -1 || frontendReplicas >= workers) return;
  throw new InvalidInputError(
    "frontendReplicas",
    frontendReplicas,
    `hostPorts[${index}] forwards to localNodePort ${localNodePort} (frontend-local, externalTrafficPolicy Local), which answers only on a node running a frontend pod; ` +
      `it is published from the first worker, so frontendReplicas must be at least workers (${workers}) for the spread to put a pod there; got ${frontendReplicas}`,
  );
}

/**
 * What loadConfig reads config through: a `pulumi.Config` in the stack
 * program, the stack file's values in the runner (stacks/stack-file.ts).
 */
export interface ConfigReader {
  get(key: string): string | undefined;
  getNumber(key: string): number | undefined;
  getObject<T>(key: string): T | undefined;
}

/** Every key the stack reads (Pulumi.yaml declares the same ones). */
export const CONFIG_KEYS: readonly string[] = Object.keys(CONFIG_DEFAULTS);

/**
 * Throws on the first key the stack does not read, naming the nearest known
 * one: a typo such as `hostPort` would otherwise be ignored in silence.
 */
export function assertKnownKeys(keys: readonly string[], where = "the stack config"): void {
  for (const key of keys) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new InvalidInputError(
        key,
        key,
        `${formatValue(key)} in ${where} is not a config key of svclab; did you mean ${formatValue(closest(key, [...CONFIG_KEYS]))}? ` +
          `The keys are ${CONFIG_KEYS.join(", ")}`,
      );
    }
  }
}

/** The running stack program's config and the project keys it sets (loaded on demand, see the imports). */
function programConfig(): { readonly reader: ConfigReader; readonly keys: string[] } {
  const sdk = require("@pulumi/pulumi") as typeof pulumi;
  const prefix = `${sdk.getProject()}:`;
  const keys = Object.keys(sdk.runtime.allConfig())
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
  return { reader: new sdk.Config(), keys };
}

/**
 * Reads and checks the whole stack configuration. Throws an
 * {@link InvalidInputError} on the first bad value; creates no resources.
 * With no arguments it reads the running stack program's config; `setKeys`,
 * when given, are the keys the stack sets, each checked to be a known one.
 */
export function loadConfig(reader?: ConfigReader, setKeys?: readonly string[]): Readonly<LabConfig> {
  const { reader: config, keys } = reader === undefined ? programConfig() : { reader, keys: [] };
  assertKnownKeys(setKeys ?? keys);
  const cluster = config.get("cluster") ?? CONFIG_DEFAULTS.cluster;
  assertOneOf("cluster", cluster, CLUSTER_MODES);
  const clusterName = config.get("clusterName") ?? CONFIG_DEFAULTS.clusterName;
  assertDns1035Label("clusterName", clusterName);
  const workers = config.getNumber("workers") ?? CONFIG_DEFAULTS.workers;
  assertIntegerAtLeast("workers", workers, MIN_WORKERS);
  const nodeImage = config.get("nodeImage") ?? CONFIG_DEFAULTS.nodeImage;
  assertImageReference("nodeImage", nodeImage);
  const ipFamily = config.get("ipFamily") ?? CONFIG_DEFAULTS.ipFamily;
  assertOneOf("ipFamily", ipFamily, IP_FAMILIES);
  const kubeProxyMode = config.get("kubeProxyMode") ?? CONFIG_DEFAULTS.kubeProxyMode;
  assertOneOf("kubeProxyMode", kubeProxyMode, KUBE_PROXY_MODES);
  // The declared subnet defaults are IPv4; under ipv6 or dual they stand for kind's defaults of that family.
  const familyDefault = (value: string, ipv4Default: string, key: "podSubnet" | "serviceSubnet"): string =>
    value === ipv4Default ? FAMILY_SUBNETS[ipFamily][key] : value;
  const podSubnet = familyDefault(config.get("podSubnet") ?? CONFIG_DEFAULTS.podSubnet, CONFIG_DEFAULTS.podSubnet, "podSubnet");
  const serviceSubnet = familyDefault(config.get("serviceSubnet") ?? CONFIG_DEFAULTS.serviceSubnet, CONFIG_DEFAULTS.serviceSubnet, "serviceSubnet");
  for (const [key, cidr] of [["podSubnet", podSubnet], ["serviceSubnet", serviceSubnet]] as const) {
    if (ipFamily === "ipv4" && !isCidr(cidr)) {
      throw new InvalidInputError(key, cidr, `${key} must be a CIDR such as 10.244.0.0/16; got ${formatValue(cidr)}`);
    }
    assertSubnetForFamily(key, cidr, ipFamily);
  }
  if (podSubnet === serviceSubnet) {
    throw new InvalidInputError("serviceSubnet", serviceSubnet, `serviceSubnet must differ from podSubnet; both are ${formatValue(podSubnet)}`);
  }

  const kubeconfig = optionalString(config, "kubeconfig");
  const kubeContext = optionalString(config, "kubeContext");
  const image = optionalString(config, "image");
  if (image !== undefined) {
    assertImageReference("image", image);
  }
  if (cluster === "existing") {
    if (kubeconfig === undefined) {
      throw new InvalidInputError(
        "kubeconfig",
        kubeconfig,
        `kubeconfig is required when cluster is "existing": set it to the path of a kubeconfig file (pulumi config set kubeconfig ~/.kube/config); got ${formatValue(kubeconfig)}`,
      );
    }
    if (kubeContext === undefined) {
      throw new InvalidInputError(
        "kubeContext",
        kubeContext,
        `kubeContext is required when cluster is "existing": set it to a context in ${kubeconfig} (kubectl config get-contexts); got ${formatValue(kubeContext)}`,
      );
    }
    if (image === undefined) {
      // An image built on this machine exists only in its Docker engine: the
      // pods would never start and `pulumi up` would wait out its timeouts.
      throw new InvalidInputError(
        "image",
        image,
        `image is required when cluster is "existing": the cluster must pull the demo image from a registry; build and push apps/ (docker build -t <registry>/svclab-demo:<tag> apps && docker push <registry>/svclab-demo:<tag>) and set image to it; got ${formatValue(image)}`,
      );
    }
  }

  const namespace = config.get("namespace") ?? CONFIG_DEFAULTS.namespace;
  assertDns1035Label("namespace", namespace);
  const frontendReplicas = config.getNumber("frontendReplicas") ?? CONFIG_DEFAULTS.frontendReplicas;
  assertIntegerAtLeast("frontendReplicas", frontendReplicas, 1);
  const backendReplicas = config.getNumber("backendReplicas") ?? CONFIG_DEFAULTS.backendReplicas;
  assertIntegerAtLeast("backendReplicas", backendReplicas, 1);

  const services = config.getObject<unknown>("services") ?? CONFIG_DEFAULTS.services;
  assertStringArray("services", services, '["clusterip","nodeport"]');
  const kinds = services.map((kind, index): ServiceKind => {
    assertOneOf(`services[${index}]`, kind, SERVICE_KINDS);
    return kind;
  });
  assertUnique("Service kind", kinds.map((kind, index) => [`services[${index}]`, kind] as const));

  const nodePort = config.getNumber("nodePort") ?? CONFIG_DEFAULTS.nodePort;
  assertNodePort("nodePort", nodePort);
  const localNodePort = config.getNumber("localNodePort") ?? CONFIG_DEFAULTS.localNodePort;
  assertNodePort("localNodePort", localNodePort);
  assertUnique("nodePort", [["nodePort", nodePort], ["localNodePort", localNodePort]]);

  const listenAddress = config.get("listenAddress") ?? CONFIG_DEFAULTS.listenAddress;
  if (isIP(listenAddress) !== 4) {
    throw new InvalidInputError("listenAddress", listenAddress, `listenAddress must be an IPv4 address such as 127.0.0.1; got ${formatValue(listenAddress)}`);
  }
  const hostPortEntries = config.getObject<unknown>("hostPorts") ?? CONFIG_DEFAULTS.hostPorts;
  assertStringArray("hostPorts", hostPortEntries, '["30080:30080","127.0.0.1:8080:30081"]');
  const hostPorts = hostPortEntries.map((entry, index) => parseHostPort(`hostPorts[${index}]`, entry, listenAddress));
  assertUnique("host port", hostPorts.map((m, index) => [`hostPorts[${index}]`, m.hostPort] as const));

  const externalName = optionalString(config, "externalName");
  if (externalName !== undefined) {
    assertDns1123Subdomain("externalName", externalName);
  }
  const loadBalancer = config.get("loadBalancer") ?? CONFIG_DEFAULTS.loadBalancer;
  assertOneOf("loadBalancer", loadBalancer, LOAD_BALANCER_MODES);
  assertLocalHostPortServed(cluster, kinds, localNodePort, hostPorts, frontendReplicas, workers);

  return Object.freeze({
    cluster,
    clusterName,
    workers,
    nodeImage,
    ipFamily,
    kubeProxyMode,
    podSubnet,
    serviceSubnet,
    kubeconfig: cluster === "existing" && kubeconfig !== undefined ? expandHome(kubeconfig) : undefined,
    kubeContext: cluster === "existing" ? kubeContext : undefined,
    namespace,
    frontendReplicas,
    backendReplicas,
    services: Object.freeze(kinds),
    nodePort,
    localNodePort,
    hostPorts: Object.freeze(hostPorts.map((m) => Object.freeze(m))),
    listenAddress,
    externalName,
    image,
    loadBalancer,
  });
}
