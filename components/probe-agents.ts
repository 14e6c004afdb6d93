/**
 * ProbeAgents: one probe pod on every node, control-plane included, from which
 * the verifier dials and resolves inside the cluster (docs/CONTRACTS.md,
 * "Probe agents").
 * https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  CONTROL_PLANE_TOLERATION,
  demoPodTemplate,
  IMAGE_PULL_POLICIES,
  ImagePullPolicy,
  LEGACY_MASTER_TOLERATION,
} from "./demo-app";
import { componentLabels, selectorLabels } from "./labels";
import { assertDns1035Label, assertOneOf } from "./validation";

/** Name of the probe DaemonSet. */
export const PROBE_NAME = "probe";

/** Arguments of {@link ProbeAgents}. */
export interface ProbeAgentsArgs {
  /** Namespace of the DaemonSet; a DNS-1035 label when given as a plain string. */
  readonly namespace: pulumi.Input<string>;
  /** The demo image; its `ROLE=probe` mode serves `/dial` and `/resolve`. */
  readonly image: pulumi.Input<string>;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: ImagePullPolicy;
}

/**
 * A DaemonSet `probe` of the demo image in probe mode. It tolerates the
 * control-plane taint (under both names) because the verifier must probe from
 * every node, the control-plane too.
 */
export class ProbeAgents extends pulumi.ComponentResource {
  /** Pod labels the verifier finds the probe pods by (`component=probe`). */
  readonly selector: Readonly<Record<string, string>>;
  /** The `probe` DaemonSet. */
  readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: ProbeAgentsArgs, opts?: pulumi.ComponentResourceOptions) {
    const imagePullPolicy = args.imagePullPolicy ?? "IfNotPresent";
    if (typeof args.namespace === "string") {
      assertDns1035Label("ProbeAgents.namespace", args.namespace);
    }
    assertOneOf("ProbeAgents.imagePullPolicy", imagePullPolicy, IMAGE_PULL_POLICIES);
    super("svclab:index:ProbeAgents", name, {}, opts);

    this.selector = selectorLabels("probe");
    this.daemonSet = new k8s.apps.v1.DaemonSet(
      `${name}-probe`,
      {
        metadata: { name: PROBE_NAME, namespace: args.namespace, labels: componentLabels("probe") },
        spec: {
          selector: { matchLabels: this.selector },
          template: demoPodTemplate({
            role: "probe",
            image: args.image,
            imagePullPolicy,
            tolerations: [CONTROL_PLANE_TOLERATION, LEGACY_MASTER_TOLERATION],
          }),
        },
      },
      // The fixed metadata.name cannot exist twice, so a replacement deletes first.
      { parent: this, deleteBeforeReplace: true },
    );

    this.registerOutputs({ selector: this.selector, daemonSet: this.daemonSet });
  }
}
