import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { withCurrentContext } from "./kubeconfig-context";
import { InvalidInputError, formatValue } from "./validation";

/** Arguments of ExistingCluster (each description is also the field's documentation in the generated SDKs). */
export interface ExistingClusterArgs {
  /**
   * Path of the kubeconfig file to use (`~` is not expanded). The component
   * reads it where it runs: from another language, that is the component
   * provider's process, so give an absolute path.
   */
  readonly kubeconfig: string;
  /**
   * Context in that kubeconfig; named explicitly so a changed current-context
   * never redirects the stack to another cluster. Default: the file's current-context.
   */
  readonly context?: string;
}

/**
 * Each ExistingCluster's Kubernetes provider, kept out of the class's fields
 * so the schema analyzer does not publish it as an output (see KindCluster).
 */
const existingProviders = new WeakMap<ExistingCluster, k8s.Provider>();

/**
 * A cluster svclab did not create (k3s, EKS, GKE, …), reached through a
 * kubeconfig file and context. It only builds the explicit `k8s.Provider`;
 * nothing is created or deleted in the cluster's infrastructure, and its nodes
 * are not listed (the stack outputs say so).
 */
export class ExistingCluster extends pulumi.ComponentResource {
  /**
   * The kubeconfig file's content (secret), its `current-context` set to the
   * context argument when one is named: whoever uses it without naming a
   * context (the lab's verifier, kubectl) reaches the cluster the stack
   * deployed to.
   */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The context used, or "" when the file's current-context is. */
  public readonly context: pulumi.Output<string>;

  /**
   * A Kubernetes provider bound to that file and context. TypeScript only: a
   * getter, so it is not a schema output.
   */
  public get provider(): k8s.Provider {
    return existingProviders.get(this) as k8s.Provider;
  }

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    let content: string;
    try {
      content = readFileSync(args.kubeconfig, "utf8");
    } catch (error) {
      throw new InvalidInputError(
        "kubeconfig",
        args.kubeconfig,
        `kubeconfig must be the path of a readable kubeconfig file; ${formatValue(args.kubeconfig)} could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    if (args.context !== undefined && args.context.trim() === "") {
      throw new InvalidInputError("context", args.context, `context must name a context in ${args.kubeconfig}; got ""`);
    }
    if (args.context !== undefined) {
      content = withCurrentContext(content, args.context, args.kubeconfig);
    }

    super("svclab:index:ExistingCluster", name, {}, opts);

    this.kubeconfig = pulumi.secret(content);
    this.context = pulumi.output(args.context ?? "");
    existingProviders.set(
      this,
      new k8s.Provider(`${name}-provider`, { kubeconfig: this.kubeconfig, context: args.context }, { parent: this }),
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, context: this.context });
  }
}
