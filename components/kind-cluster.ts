import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IpFamily, KubeProxyMode, PortMapping, buildKindConfig, resolveKindConfig } from "./kind-config";
import {
  CLUSTER_ENV,
  KindNode,
  createClusterScript,
  deleteClusterScript,
  parseClusterReport,
  refreshClusterScript,
} from "./kind-scripts";
import { assertDns1035Label } from "./validation";

/**
 * Arguments of KindCluster. Every description is also the field's
 * documentation in the generated SDKs, so each one states its default in words.
 */
export interface KindClusterArgs {
  /**
   * Name of the kind cluster (`kind create cluster --name`); the kubeconfig
   * context becomes `kind-<clusterName>`. Must be a DNS-1035 label.
   */
  readonly clusterName: string;
  /** Worker nodes besides the one control-plane node, at least 1. Default: 2. @default 2 */
  readonly workers?: number;
  /**
   * Node image, which fixes the Kubernetes version. Default: the kind v0.29.0
   * image of Kubernetes v1.33.1, pinned by digest (DEFAULT_NODE_IMAGE).
   */
  readonly nodeImage?: string;
  /**
   * IP families of the cluster network: ipv4, ipv6 or dual (kind `networking.ipFamily`).
   * Default: ipv4. https://kind.sigs.k8s.io/docs/user/configuration/#ip-family
   * @default "ipv4"
   */
  readonly ipFamily?: IpFamily;
  /**
   * kube-proxy mode: iptables, nftables (Kubernetes 1.31+) or ipvs (kind `networking.kubeProxyMode`).
   * Default: iptables. https://kind.sigs.k8s.io/docs/user/configuration/#kube-proxy-mode
   * @default "iptables"
   */
  readonly kubeProxyMode?: KubeProxyMode;
  /**
   * Pod network CIDR (an `IPv4,IPv6` pair for dual stack). Default: kind's for
   * the family, 10.244.0.0/16 for ipv4.
   */
  readonly podSubnet?: string;
  /**
   * Service network CIDR (an `IPv4,IPv6` pair for dual stack). Default: kind's
   * for the family, 10.96.0.0/16 for ipv4.
   */
  readonly serviceSubnet?: string;
  /**
   * Host ports forwarded to a node container (kind `extraPortMappings`), each
   * bound to 127.0.0.1 unless its listenAddress says otherwise. Default: none.
   * https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings
   * @default []
   */
  readonly portMappings?: PortMapping[];
}

/**
 * Each KindCluster's Kubernetes provider, kept out of the class's fields: the
 * Pulumi schema analyzer publishes every field as a component output, and a
 * provider is no output another language can use (it builds its own from
 * `kubeconfig`, docs/components-schema.md).
 */
const kindProviders = new WeakMap<KindCluster, k8s.Provider>();

/**
 * A kind cluster (Kubernetes in Docker) driven through the `kind` CLI by a
 * `command:local:Command`: `pulumi up` creates it, `pulumi destroy` deletes
 * it, and any change to the node layout, image, subnets or port mappings
 * replaces it (deleted first, since the name cannot be shared). A cluster of
 * the same name that this stack did not create is refused, never adopted.
 *
 * Everything inside the cluster should use a Kubernetes provider built from
 * its kubeconfig output (in TypeScript: KindCluster.provider).
 */
export class KindCluster extends pulumi.ComponentResource {
  /** Admin kubeconfig of the cluster (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The nodes: name, role (control-plane or worker) and address on the `kind` Docker network. */
  public readonly nodes: pulumi.Output<KindNode[]>;
  /** The kind cluster name, known once the cluster exists. */
  public readonly clusterName: pulumi.Output<string>;
  /**
   * Changes every time the cluster is created again (the id of the kind
   * command), so whatever must be redone on a new cluster, such as loading an
   * image, can use it as a trigger.
   */
  public readonly instanceId: pulumi.Output<string>;

  /**
   * A Kubernetes provider bound to this cluster's kubeconfig, never the
   * ambient context. TypeScript only: a getter, so it is not a schema output.
   */
  public get provider(): k8s.Provider {
    return kindProviders.get(this) as k8s.Provider;
  }

  constructor(name: string, args: KindClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    assertDns1035Label("clusterName", args.clusterName);
    const kindConfig = buildKindConfig(resolveKindConfig(args));
    super("svclab:index:KindCluster", name, {}, opts);

    const cluster = new command.local.Command(
      `${name}-kind`,
      {
        create: createClusterScript(),
        update: refreshClusterScript(),
        delete: deleteClusterScript(),
        stdin: kindConfig,
        environment: { [CLUSTER_ENV]: args.clusterName },
        // The kind config (stdin) and the name already describe the cluster;
        // the trigger makes that explicit and is what replaceOnChanges watches.
        triggers: [args.clusterName, kindConfig],
        // stdout carries the kubeconfig: never print it into the update log.
        logging: command.types.enums.local.Logging.Stderr,
      },
      {
        parent: this,
        additionalSecretOutputs: ["stdout"],
        replaceOnChanges: ["triggers", "stdin", "environment"],
        // A replacement must free the name before the new cluster takes it.
        deleteBeforeReplace: true,
      },
    );

    const report = cluster.stdout.apply(parseClusterReport);
    this.kubeconfig = pulumi.secret(report.kubeconfig);
    this.nodes = pulumi.unsecret(report.apply((r) => r.nodes.map((n) => ({ ...n }))));
    this.clusterName = cluster.environment.apply((env) => env?.[CLUSTER_ENV] ?? args.clusterName);
    this.instanceId = cluster.id;
    kindProviders.set(this, new k8s.Provider(`${name}-provider`, { kubeconfig: this.kubeconfig }, { parent: this }));

    this.registerOutputs({
      kubeconfig: this.kubeconfig,
      nodes: this.nodes,
      clusterName: this.clusterName,
      instanceId: this.instanceId,
    });
  }
}
