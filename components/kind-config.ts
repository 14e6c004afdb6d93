/**
 * The kind cluster configuration file, built as data and printed with the
 * `yaml` library. Pure: no Pulumi, no I/O, so it is tested on its own.
 *
 * Format: https://kind.sigs.k8s.io/docs/user/configuration/
 */
import { isIPv4, isIPv6 } from "node:net";
import { stringify } from "yaml";
import { InvalidInputError, assertIntegerAtLeast, assertOneOf, assertUnique, formatValue } from "./validation";

/**
 * The node image every node runs: Kubernetes v1.33.1, the image published with
 * kind v0.29.0. Pinned by digest as the kind release notes ask, because node
 * images are built for one kind release. https://github.com/kubernetes-sigs/kind/releases/tag/v0.29.0
 */
export const DEFAULT_NODE_IMAGE =
  "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f";

/** kind's own default pod network. */
export const DEFAULT_POD_SUBNET = "10.244.0.0/16";

/** kind's own default Service (cluster IP) network. */
export const DEFAULT_SERVICE_SUBNET = "10.96.0.0/16";

/**
 * IP families of the cluster network (kind `networking.ipFamily`), a string
 * enum: `IpFamily.Dual` or the plain string "dual".
 * https://kind.sigs.k8s.io/docs/user/configuration/#ip-family
 */
export const IpFamily = {
  /** IPv4 only. */
  Ipv4: "ipv4",
  /** IPv6 only. */
  Ipv6: "ipv6",
  /** Dual stack: both families, IPv4 first. */
  Dual: "dual",
} as const;
/** One value of the IpFamily enum. */
export type IpFamily = (typeof IpFamily)[keyof typeof IpFamily];
/** Every {@link IpFamily}. */
export const IP_FAMILIES: readonly IpFamily[] = Object.values(IpFamily);

/**
 * How kube-proxy implements Services (kind `networking.kubeProxyMode`), a
 * string enum: `KubeProxyMode.Nftables` or the plain string "nftables".
 * https://kind.sigs.k8s.io/docs/user/configuration/#kube-proxy-mode
 */
export const KubeProxyMode = {
  /** iptables rules (kube-proxy's default on Linux). */
  Iptables: "iptables",
  /** nftables rules; needs Kubernetes 1.31 or later in the node image. */
  Nftables: "nftables",
  /** IPVS virtual servers. */
  Ipvs: "ipvs",
} as const;
/** One value of the KubeProxyMode enum. */
export type KubeProxyMode = (typeof KubeProxyMode)[keyof typeof KubeProxyMode];
/** Every {@link KubeProxyMode}. */
export const KUBE_PROXY_MODES: readonly KubeProxyMode[] = Object.values(KubeProxyMode);

/**
 * kind's own pod and Service subnets for each family: a dual-stack subnet is
 * a comma-separated pair, IPv4 first.
 */
export const FAMILY_SUBNETS: Readonly<Record<IpFamily, { readonly podSubnet: string; readonly serviceSubnet: string }>> = {
  ipv4: { podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/16" },
  ipv6: { podSubnet: "fd00:10:244::/56", serviceSubnet: "fd00:10:96::/112" },
  dual: { podSubnet: "10.244.0.0/16,fd00:10:244::/56", serviceSubnet: "10.96.0.0/16,fd00:10:96::/112" },
};

/** Host address port mappings bind to unless asked otherwise: only this machine can connect. */
export const DEFAULT_LISTEN_ADDRESS = "127.0.0.1";

/** The fewest workers the lab accepts: spreading and `externalTrafficPolicy: Local` need a node besides the control-plane. */
export const MIN_WORKERS = 1;

/**
 * Which node container a port mapping is published from, a string enum:
 * `PortMappingNode.FirstWorker` or the plain string "first-worker".
 */
export const PortMappingNode = {
  /** The control-plane node. */
  ControlPlane: "control-plane",
  /** The first worker node. */
  FirstWorker: "first-worker",
} as const;
/** One value of the PortMappingNode enum. */
export type PortMappingNode = (typeof PortMappingNode)[keyof typeof PortMappingNode];
/** Every {@link PortMappingNode}. */
export const PORT_MAPPING_NODES: readonly PortMappingNode[] = Object.values(PortMappingNode);

/** Transport protocol of a port mapping, a string enum: `PortProtocol.UDP` or the plain string "UDP". */
export const PortProtocol = {
  /** TCP. */
  TCP: "TCP",
  /** UDP. */
  UDP: "UDP",
  /** SCTP. */
  SCTP: "SCTP",
} as const;
/** One value of the PortProtocol enum. */
export type PortProtocol = (typeof PortProtocol)[keyof typeof PortProtocol];
/** Every {@link PortProtocol}. */
export const PORT_PROTOCOLS: readonly PortProtocol[] = Object.values(PortProtocol);

/** One kind `extraPortMappings` entry: a host port forwarded to a port on one node container. */
export interface PortMapping {
  /** Port inside the node container, usually a NodePort (30000-32767). */
  readonly containerPort: number;
  /** Port on the host (1-65535). */
  readonly hostPort: number;
  /** Host address to bind. Default: 127.0.0.1, so only this machine can connect. @default "127.0.0.1" */
  readonly listenAddress?: string;
  /** Transport protocol: TCP, UDP or SCTP. Default: TCP. @default "TCP" */
  readonly protocol?: PortProtocol;
  /**
   * The node whose container publishes it: control-plane or first-worker. A
   * NodePort with `externalTrafficPolicy: Local` answers only on nodes with a
   * ready local pod, and workloads do not run on the control-plane: map it
   * from a worker. Default: control-plane.
   * @default "control-plane"
   */
  readonly node?: PortMappingNode;
}

export interface KindConfigOptions {
  /** Worker nodes besides the one control-plane node. @default 2, minimum 1 */
  readonly workers?: number;
  /** Node image for every node. @default DEFAULT_NODE_IMAGE */
  readonly nodeImage?: string;
  /** IP families of the cluster network. @default "ipv4" */
  readonly ipFamily?: IpFamily;
  /** kube-proxy mode. @default "iptables" */
  readonly kubeProxyMode?: KubeProxyMode;
  /** Pod network CIDR; a comma-separated IPv4,IPv6 pair for dual stack. @default kind's for the family, {@link FAMILY_SUBNETS} */
  readonly podSubnet?: string;
  /** Service network CIDR; a comma-separated IPv4,IPv6 pair for dual stack. @default kind's for the family, {@link FAMILY_SUBNETS} */
  readonly serviceSubnet?: string;
  /** Host ports forwarded to the control-plane node. @default [] */
  readonly portMappings?: readonly PortMapping[];
}

/** The kind config with every default filled in, as the cluster will get it. */
export interface ResolvedKindConfig {
  readonly workers: number;
  readonly nodeImage: string;
  readonly ipFamily: IpFamily;
  readonly kubeProxyMode: KubeProxyMode;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly portMappings: readonly Required<PortMapping>[];
}

/** True when `value` is an IPv4 or IPv6 CIDR such as `10.244.0.0/16`. */
export function isCidr(value: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) {
    return false;
  }
  const [, address, bits] = match;
  const prefix = Number(bits);
  if (isIPv4(address)) {
    return prefix <= 32;
  }
  return isIPv6(address) && prefix <= 128;
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1). */
export function isLoopbackAddress(address: string): boolean {
  return (isIPv4(address) && address.startsWith("127.")) || address === "::1";
}

/** The family of one CIDR, or undefined when it is not one. */
function familyOf(cidr: string): "ipv4" | "ipv6" | undefined {
  if (!isCidr(cidr)) return undefined;
  return isIPv4(cidr.slice(0, cidr.indexOf("/"))) ? "ipv4" : "ipv6";
}

/**
 * Checks that a subnet suits the cluster's IP family: one IPv4 CIDR for
 * `ipv4`, one IPv6 CIDR for `ipv6`, an `IPv4,IPv6` pair for `dual`.
 */
export function assertSubnetForFamily(field: string, value: string, ipFamily: IpFamily): void {
  const parts = value.split(",").map((p) => p.trim());
  const families = parts.map(familyOf);
  const wanted = ipFamily === "dual" ? ["ipv4", "ipv6"] : [ipFamily];
  if (families.length !== wanted.length || families.some((f, i) => f !== wanted[i])) {
    const example = FAMILY_SUBNETS[ipFamily][field === "serviceSubnet" ? "serviceSubnet" : "podSubnet"];
    const shape = ipFamily === "dual" ? "an IPv4 CIDR and an IPv6 CIDR, comma-separated, IPv4 first," : `an ${ipFamily === "ipv4" ? "IPv4" : "IPv6"} CIDR`;
    throw new InvalidInputError(field, value, `${field} must be ${shape} such as ${example} (ipFamily is ${ipFamily}); got ${formatValue(value)}`);
  }
}

function assertPort(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidInputError(field, value, `${field} must be an integer from 1 to 65535; got ${formatValue(value)}`);
  }
}

/** Fills in defaults and checks every value; errors name the field, the value and what is allowed. */
export function resolveKindConfig(options: KindConfigOptions): ResolvedKindConfig {
  const workers = options.workers ?? 2;
  const nodeImage = options.nodeImage ?? DEFAULT_NODE_IMAGE;
  const ipFamily = options.ipFamily ?? "ipv4";
  assertOneOf("ipFamily", ipFamily, IP_FAMILIES);
  const kubeProxyMode = options.kubeProxyMode ?? "iptables";
  assertOneOf("kubeProxyMode", kubeProxyMode, KUBE_PROXY_MODES);
  const podSubnet = options.podSubnet ?? FAMILY_SUBNETS[ipFamily].podSubnet;
  const serviceSubnet = options.serviceSubnet ?? FAMILY_SUBNETS[ipFamily].serviceSubnet;
  assertIntegerAtLeast("workers", workers, MIN_WORKERS);
  if (nodeImage.trim() === "" || /\s/.test(nodeImage)) {
    throw new InvalidInputError(
      "nodeImage",
      nodeImage,
      `nodeImage must be an image reference such as ${DEFAULT_NODE_IMAGE}; got ${formatValue(nodeImage)}`,
    );
  }
  for (const [field, cidr] of [["podSubnet", podSubnet], ["serviceSubnet", serviceSubnet]] as const) {
    if (ipFamily === "ipv4" && !isCidr(cidr)) {
      throw new InvalidInputError(field, cidr, `${field} must be a CIDR such as 10.244.0.0/16; got ${formatValue(cidr)}`);
    }
    assertSubnetForFamily(field, cidr, ipFamily);
  }
  if (podSubnet === serviceSubnet) {
    throw new InvalidInputError(
      "serviceSubnet",
      serviceSubnet,
      `serviceSubnet must differ from podSubnet; both are ${formatValue(podSubnet)}`,
    );
  }
  const portMappings = (options.portMappings ?? []).map((mapping, index) => {
    const field = `portMappings[${index}]`;
    assertPort(`${field}.containerPort`, mapping.containerPort);
    assertPort(`${field}.hostPort`, mapping.hostPort);
    const listenAddress = mapping.listenAddress ?? DEFAULT_LISTEN_ADDRESS;
    if (!isIPv4(listenAddress) && !isIPv6(listenAddress)) {
      throw new InvalidInputError(
        `${field}.listenAddress`,
        listenAddress,
        `${field}.listenAddress must be an IP address such as 127.0.0.1; got ${formatValue(listenAddress)}`,
      );
    }
    const node = mapping.node ?? "control-plane";
    assertOneOf(`${field}.node`, node, PORT_MAPPING_NODES);
    const protocol = mapping.protocol ?? "TCP";
    assertOneOf(`${field}.protocol`, protocol, PORT_PROTOCOLS);
    return { containerPort: mapping.containerPort, hostPort: mapping.hostPort, listenAddress, protocol, node };
  });
  // One host port per mapping, whatever the address: two binds of one port collide on 0.0.0.0.
  assertUnique(
    "host port",
    portMappings.map((m, index) => [`portMappings[${index}].hostPort`, m.hostPort] as const),
  );
  return { workers, nodeImage, ipFamily, kubeProxyMode, podSubnet, serviceSubnet, portMappings };
}

/**
 * The kind `Cluster` document for one control-plane node and `workers` worker
 * nodes. Port mappings go on the control-plane node unless they say
 * otherwise: a NodePort is open on every node, so one node is enough to reach
 * it from the host.
 */
export function buildKindConfig(config: ResolvedKindConfig): string {
  const mappingsOn = (node: PortMappingNode) =>
    config.portMappings.filter((m) => m.node === node).map(({ node: _node, ...mapping }) => mapping);
  const withMappings = (node: Record<string, unknown>, mappings: readonly object[]) =>
    mappings.length > 0 ? { ...node, extraPortMappings: mappings } : node;
  const controlPlane = withMappings({ role: "control-plane", image: config.nodeImage }, mappingsOn("control-plane"));
  const workers = Array.from({ length: config.workers }, (_, index) =>
    withMappings({ role: "worker", image: config.nodeImage }, index === 0 ? mappingsOn("first-worker") : []),
  );
  return stringify({
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    networking: {
      ipFamily: config.ipFamily,
      kubeProxyMode: config.kubeProxyMode,
      podSubnet: config.podSubnet,
      serviceSubnet: config.serviceSubnet,
    },
    nodes: [controlPlane, ...workers],
  });
}
