import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { InvalidInputError, assertDns1035Label, formatValue } from "./validation";

/**
 * cloud-provider-kind, the kind project's load-balancer implementation, pinned
 * to a release. https://github.com/kubernetes-sigs/cloud-provider-kind
 */
export const DEFAULT_CLOUD_PROVIDER_KIND_IMAGE = "registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1";

/** The Docker network kind puts its nodes on. */
export const KIND_NETWORK = "kind";

/** Where the Docker engine's API socket is, on the host and in the container. */
export const DOCKER_SOCKET = "/var/run/docker.sock";

/** True when an image reference names one release: a digest, or a tag other than `latest`. */
export function isPinnedImage(reference: string): boolean {
  if (/\s/.test(reference) || reference === "") {
    return false;
  }
  if (/@sha256:[0-9a-f]{64}$/.test(reference)) {
    return true;
  }
  const lastSegment = reference.split("/").pop() ?? "";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return tag !== undefined && tag !== "" && tag !== "latest";
}

/** Container labels naming the kind cluster the container was started for, and which creation of it. */
export const CLUSTER_LABEL = "svclab.cluster";
export const CLUSTER_INSTANCE_LABEL = "svclab.cluster-instance";

/** The container's name for a kind cluster: one per lab, so labs with different cluster names run side by side. */
export function cloudProviderKindContainerName(clusterName: string): string {
  return `${clusterName}-cloud-provider-kind`;
}

/** Arguments of LoadBalancerSupport (each description is also the field's documentation in the generated SDKs). */
export interface LoadBalancerSupportArgs {
  /** The kind cluster this container is for (a DNS-1035 label); it names the container. */
  readonly clusterName: string;
  /**
   * Changes whenever the cluster is created again (KindCluster.instanceId).
   * The container is replaced when it changes: cloud-provider-kind keys
   * clusters by name and may keep a client for a deleted cluster of the same
   * name, so a replaced cluster's LoadBalancers would never get an address.
   * Default: none (the container outlives a replaced cluster).
   */
  readonly clusterInstanceId?: pulumi.Input<string>;
  /**
   * Docker network of the kind nodes; cloud-provider-kind must share it, so
   * the only value allowed is "kind". Default: kind.
   * @default "kind"
   */
  readonly network?: string;
  /**
   * cloud-provider-kind image, pinned (a tag other than latest, or a digest).
   * Default: registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1.
   */
  readonly image?: string;
  /**
   * Name of the Docker container; it must differ between labs on one Docker
   * engine. Default: <clusterName>-cloud-provider-kind.
   */
  readonly containerName?: string;
}

/** Arguments to the cloud-provider-kind binary (the image's entrypoint). */
export const CLOUD_PROVIDER_KIND_ARGS: string[] = ["--gateway-channel", "disabled", "--enable-default-ingress=false"];

/**
 * LoadBalancer Services on kind: runs cloud-provider-kind as a Docker
 * container on the `kind` network with the Docker socket mounted. It watches
 * every kind cluster's LoadBalancer Services and starts an Envoy container per
 * Service whose address it writes into `status.loadBalancer.ingress`.
 * Create it with `dependsOn` the cluster, and give it the cluster's instance
 * id so a new cluster gets a new container.
 */
export class LoadBalancerSupport extends pulumi.ComponentResource {
  /** Which load-balancer implementation the cluster now has: "cloud-provider-kind". */
  public readonly implementation: pulumi.Output<string>;
  /** The running container's id. */
  public readonly containerId: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerSupportArgs, opts?: pulumi.ComponentResourceOptions) {
    assertDns1035Label("clusterName", args.clusterName);
    const network = args.network ?? KIND_NETWORK;
    const imageName = args.image ?? DEFAULT_CLOUD_PROVIDER_KIND_IMAGE;
    const containerName = args.containerName ?? cloudProviderKindContainerName(args.clusterName);
    if (network !== KIND_NETWORK) {
      throw new InvalidInputError("network", network, `network must be "kind" (cloud-provider-kind only finds kind nodes there); got ${formatValue(network)}`);
    }
    if (!isPinnedImage(imageName)) {
      throw new InvalidInputError(
        "image",
        imageName,
        `image must be a pinned image reference (a tag other than latest, or a digest) such as ${DEFAULT_CLOUD_PROVIDER_KIND_IMAGE}; got ${formatValue(imageName)}`,
      );
    }

    super("svclab:index:LoadBalancerSupport", name, {}, opts);

    const image = new docker.RemoteImage(`${name}-image`, { name: imageName, keepLocally: true }, { parent: this });
    const container = new docker.Container(
      `${name}-container`,
      {
        name: containerName,
        image: image.imageId,
        networksAdvanced: [{ name: network }],
        volumes: [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET }],
        // Only LoadBalancer addresses: since v0.9 cloud-provider-kind would also
        // install Gateway API CRDs and a default ingress into every kind cluster,
        // objects the lab does not teach and the verifier does not expect.
        command: CLOUD_PROVIDER_KIND_ARGS,
        // Survives a Docker restart, like the kind nodes themselves do.
        restart: "unless-stopped",
        mustRun: true,
        labels: [
          { label: CLUSTER_LABEL, value: args.clusterName },
          ...(args.clusterInstanceId === undefined ? [] : [{ label: CLUSTER_INSTANCE_LABEL, value: args.clusterInstanceId }]),
        ],
      },
      {
        parent: this,
        // A new cluster instance (its label) means a new container.
        replaceOnChanges: ["labels"],
        // The name is fixed: the old container must go before the new one takes it.
        deleteBeforeReplace: true,
      },
    );

    this.implementation = pulumi.output("cloud-provider-kind");
    this.containerId = container.id;
    this.registerOutputs({ implementation: this.implementation, containerId: this.containerId });
  }
}
