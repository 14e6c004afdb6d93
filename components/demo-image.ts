import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CLUSTER_ENV, IMAGE_ENV, loadImageScript } from "./kind-scripts";
import { sourceHash } from "./source-hash";
import { InvalidInputError, formatValue } from "./validation";

/** Repository name of the locally built demo image. */
export const DEMO_IMAGE_REPOSITORY = "svclab-demo";

export interface DemoImageArgs {
  /** The demo workload's directory (holds the Dockerfile); its content hash becomes the tag. */
  readonly context: string;
  /** Dockerfile path relative to `context`. @default "Dockerfile" */
  readonly dockerfile?: string;
  /**
   * kind cluster to load the built image into (`kind load docker-image`).
   * @default undefined (no load: the image stays in the local Docker engine)
   */
  readonly clusterName?: pulumi.Input<string>;
  /**
   * Use this image reference instead of building one; nothing is built or loaded
   * and the cluster pulls it as usual.
   * @default undefined (build from `context`)
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
   * `Never` for a built image: it exists only inside the kind nodes, and a pull
   * attempt could only fail (there is no registry that has it), so failing fast
   * with ErrImageNeverPull names the real problem. `IfNotPresent` for a
   * prebuilt image, which the nodes pull once from its registry.
   * Decided from plain args, so it is a plain value other components can take.
   * https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   */
  public readonly imagePullPolicy: "Never" | "IfNotPresent";

  constructor(name: string, args: DemoImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("svclab:index:DemoImage", name, {}, opts);
    const dockerfile = args.dockerfile ?? "Dockerfile";

    if (args.prebuiltImage !== undefined) {
      if (args.prebuiltImage.trim() === "" || /\s/.test(args.prebuiltImage)) {
        throw new InvalidInputError(
          "prebuiltImage",
          args.prebuiltImage,
          `prebuiltImage must be an image reference such as ghcr.io/example/svclab-demo:1.0; got ${formatValue(args.prebuiltImage)}`,
        );
      }
      this.imageRef = pulumi.output(args.prebuiltImage);
      this.imagePullPolicy = "IfNotPresent";
    } else {
      if (!existsSync(join(args.context, dockerfile))) {
        throw new InvalidInputError(
          "context",
          args.context,
          `context must be a directory holding ${dockerfile}; ${formatValue(join(args.context, dockerfile))} does not exist`,
        );
      }
      const image = new docker.Image(
        `${name}-build`,
        {
          imageName: `${DEMO_IMAGE_REPOSITORY}:${sourceHash(args.context)}`,
          build: { context: args.context, dockerfile: join(args.context, dockerfile) },
          skipPush: true,
          buildOnPreview: false,
        },
        { parent: this },
      );
      if (args.clusterName !== undefined) {
        const load = new command.local.Command(
          `${name}-load`,
          {
            create: loadImageScript(),
            environment: { [IMAGE_ENV]: image.imageName, [CLUSTER_ENV]: args.clusterName },
            // A new tag (new content) or a new cluster means loading again.
            triggers: [image.imageName, args.clusterName],
          },
          { parent: this },
        );
        // Pods must not start before the image is inside the nodes.
        this.imageRef = pulumi.all([image.imageName, load.stdout]).apply(([ref]) => ref);
      } else {
        this.imageRef = image.imageName;
      }
      this.imagePullPolicy = "Never";
    }

    this.registerOutputs({ imageRef: this.imageRef, imagePullPolicy: this.imagePullPolicy });
  }
}
