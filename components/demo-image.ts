import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findDemoAppDir } from "./demo-app-dir";
import { CLUSTER_ENV, IMAGE_ENV, loadImageScript } from "./kind-scripts";
import { sourceHash } from "./source-hash";
import type { ImagePullPolicy } from "./demo-app";
import { InvalidInputError, formatValue } from "./validation";

/** Repository name of the locally built demo image. */
export const DEMO_IMAGE_REPOSITORY = "svclab-demo";

/** Arguments of DemoImage (each description is also the field's documentation in the generated SDKs). */
export interface DemoImageArgs {
  /**
   * The demo workload's directory (holds the Dockerfile); its content hash
   * becomes the tag. Read where the component runs: from another language,
   * that is the component provider's process, so give an absolute path.
   * Default: the apps/ directory shipped with svclab.
   */
  readonly context?: string;
  /** Dockerfile path relative to context. Default: Dockerfile. @default "Dockerfile" */
  readonly dockerfile?: string;
  /**
   * kind cluster to load the built image into (`kind load docker-image`).
   * Default: none, so the image stays in the local Docker engine.
   */
  readonly clusterName?: pulumi.Input<string>;
  /**
   * Changes whenever the kind cluster is created again (KindCluster.instanceId):
   * a new cluster has empty nodes, so the image is loaded again. Default: none
   * (reload only when the tag or the cluster name changes).
   */
  readonly clusterInstanceId?: pulumi.Input<string>;
  /**
   * Use this image reference instead of building one; nothing is built or
   * loaded and the cluster pulls it as usual. Default: none (build from context).
   */
  readonly prebuiltImage?: string;
}

/**
 * The demo workload's container image. Built with the local Docker engine for
 * its native platform, never pushed, tagged `svclab-demo:<content hash>` (never
 * `:latest`), and copied into every kind node, so Pods run it with
 * `imagePullPolicy: Never` and no registry is involved. With `prebuiltImage`
 * it only names that image.
 */
export class DemoImage extends pulumi.ComponentResource {
  /** The image reference to put in Pod specs. */
  public readonly imageRef: pulumi.Output<string>;
  /**
   * Never for a built image: it exists only inside the kind nodes, and a pull
   * attempt could only fail (there is no registry that has it), so failing fast
   * with ErrImageNeverPull names the real problem. IfNotPresent for a
   * prebuilt image, which the nodes pull once from its registry.
   * Decided from plain args, so it is a plain value other components can take.
   * https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   */
  public readonly imagePullPolicy: ImagePullPolicy;

  constructor(name: string, args: DemoImageArgs, opts?: pulumi.ComponentResourceOptions) {
    const dockerfile = args.dockerfile ?? "Dockerfile";
    // A prebuilt image needs no build context, so the package's apps/ is looked up only when it builds.
    const context = args.context ?? (args.prebuiltImage === undefined ? findDemoAppDir() : "");
    if (args.prebuiltImage !== undefined && (args.prebuiltImage.trim() === "" || /\s/.test(args.prebuiltImage))) {
      throw new InvalidInputError(
        "prebuiltImage",
        args.prebuiltImage,
        `prebuiltImage must be an image reference such as ghcr.io/example/svclab-demo:1.0; got ${formatValue(args.prebuiltImage)}`,
      );
    }
    if (args.prebuiltImage === undefined && !existsSync(join(context, dockerfile))) {
      throw new InvalidInputError(
        "context",
        context,
        `context must be a directory holding ${dockerfile}; ${formatValue(join(context, dockerfile))} does not exist`,
      );
    }
    super("svclab:index:DemoImage", name, {}, opts);

    if (args.prebuiltImage !== undefined) {
      this.imageRef = pulumi.output(args.prebuiltImage);
      this.imagePullPolicy = "IfNotPresent";
    } else {
      this.imageRef = this.buildAndLoad(name, context, dockerfile, args.clusterName, args.clusterInstanceId);
      this.imagePullPolicy = "Never";
    }
    this.registerOutputs({ imageRef: this.imageRef, imagePullPolicy: this.imagePullPolicy });
  }

  /** Builds the image and, given a kind cluster, loads it; resolves once both are done. */
  private buildAndLoad(
    name: string,
    context: string,
    dockerfile: string,
    clusterName: pulumi.Input<string> | undefined,
    clusterInstanceId: pulumi.Input<string> | undefined,
  ): pulumi.Output<string> {
    const image = new docker.Image(
      `${name}-build`,
      {
        imageName: `${DEMO_IMAGE_REPOSITORY}:${sourceHash(context)}`,
        // Docker resolves the Dockerfile from the working directory, not from the context.
        build: { context, dockerfile: join(context, dockerfile) },
        skipPush: true,
        buildOnPreview: false,
      },
      { parent: this },
    );
    if (clusterName === undefined) {
      return image.imageName;
    }
    const load = new command.local.Command(
      `${name}-load`,
      {
        create: loadImageScript(),
        environment: { [IMAGE_ENV]: image.imageName, [CLUSTER_ENV]: clusterName },
        // A new tag (new content) or a new cluster means loading again.
        triggers: [image.imageName, clusterName, clusterInstanceId ?? ""],
      },
      { parent: this },
    );
    // Pods must not start before the image is inside the nodes.
    return pulumi.all([image.imageName, load.stdout]).apply(([ref]) => ref);
  }
}
