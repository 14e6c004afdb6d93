/**
 * ProbeAgents: one probe pod on every node, control-plane included, from which
 * the verifier dials and resolves inside the cluster (docs/CONTRACTS.md,
 * "Probe agents").
 * https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  assertImagePullPolicy,
  CONTROL_PLANE_TOLERATION,
  demoPodTemplate,
  ImagePullPolicy,
  LEGACY_MASTER_TOLERATION,
} from "./demo-app";
import { componentLabels, selectorLabels } from "./labels";
import { assertDns1035Label } from "./validation";

/** Name of the probe DaemonSet. */
export const PROBE_NAME = "probe";
/** The Secret holding the agents' token; the verifier reads it by this name (docs/CONTRACTS.md). */
export const PROBE_TOKEN_SECRET = "svclab-probe-token";
/** Where the token file is mounted in the agents (PROBE_TOKEN_FILE). */
export const PROBE_TOKEN_DIR = "/var/run/svclab/probe-token";

/**
 * A fresh token: 32 random bytes, base64url (43 characters). A new one is
 * drawn on every run of the program; the Secret ignores changes to its data
 * (see {@link ProbeAgents}), so only the first one is ever used.
 */
export function newProbeToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Arguments of ProbeAgents (each description is also the field's documentation in the generated SDKs). */
export interface ProbeAgentsArgs {
  /** Namespace of the DaemonSet and its token Secret; a DNS-1035 label when given as a plain string. */
  readonly namespace: pulumi.Input<string>;
  /** The demo image reference; its `ROLE=probe` mode serves `/dial` and `/resolve`. */
  readonly image: pulumi.Input<string>;
  /**
   * How the kubelet gets the image: IfNotPresent, Never or Always
   * (DemoImage.imagePullPolicy gives the right one). Default: IfNotPresent.
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: pulumi.Input<ImagePullPolicy>;
}

/**
 * A DaemonSet `probe` of the demo image in probe mode. It tolerates the
 * control-plane taint (under both names) because the verifier must probe from
 * every node, the control-plane too.
 *
 * `/dial` and `/resolve` would let any pod that reaches an agent make it
 * request any URL, so the agents require a per-lab token (a Secret
 * `svclab-probe-token`, mounted as a file, not an env variable, so a rotation
 * reaches running pods). `@pulumi/random` is not a dependency, so the token
 * is drawn with node:crypto when the program runs and the Secret is created
 * with `ignoreChanges: ["data"]`: the first `pulumi up` stores it, later ups
 * (whose fresh draw differs) leave it alone, so agents and verifier keep
 * agreeing without a diff or a restart. It travels as a Pulumi secret, so it
 * is encrypted in the state. To rotate it, replace the Secret
 * (`pulumi up --replace <urn>`); the kubelet updates the agents' file within
 * about a minute.
 */
export class ProbeAgents extends pulumi.ComponentResource {
  /** Pod labels the verifier finds the probe pods by (`component=probe`). */
  readonly selector: Readonly<Record<string, string>>;
  /** The `probe` DaemonSet. */
  readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** The Secret `svclab-probe-token` with the agents' token under the key `token`. */
  readonly tokenSecret: k8s.core.v1.Secret;

  constructor(name: string, args: ProbeAgentsArgs, opts?: pulumi.ComponentResourceOptions) {
    const imagePullPolicy = args.imagePullPolicy ?? "IfNotPresent";
    if (typeof args.namespace === "string") {
      assertDns1035Label("ProbeAgents.namespace", args.namespace);
    }
    assertImagePullPolicy("ProbeAgents.imagePullPolicy", imagePullPolicy);
    super("svclab:index:ProbeAgents", name, {}, opts);

    this.selector = selectorLabels("probe");
    this.tokenSecret = new k8s.core.v1.Secret(
      `${name}-token`,
      {
        metadata: { name: PROBE_TOKEN_SECRET, namespace: args.namespace, labels: componentLabels("probe") },
        type: "Opaque",
        data: { token: pulumi.secret(Buffer.from(newProbeToken(), "utf8").toString("base64")) },
      },
      // ignoreChanges keeps the first token across updates (see the class comment).
      { parent: this, ignoreChanges: ["data"], additionalSecretOutputs: ["data"], deleteBeforeReplace: true },
    );
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
            extraEnv: [{ name: "PROBE_TOKEN_FILE", value: `${PROBE_TOKEN_DIR}/token` }],
            extraVolumes: [
              {
                // A secret volume is allowed under the restricted Pod Security Standard; read-only, one key.
                volume: { name: "probe-token", secret: { secretName: PROBE_TOKEN_SECRET, defaultMode: 0o444, items: [{ key: "token", path: "token" }] } },
                mount: { name: "probe-token", mountPath: PROBE_TOKEN_DIR, readOnly: true },
              },
            ],
          }),
        },
      },
      // The fixed metadata.name cannot exist twice, so a replacement deletes first.
      // The pods cannot start before the Secret they mount exists.
      { parent: this, deleteBeforeReplace: true, dependsOn: [this.tokenSecret] },
    );

    this.registerOutputs({ selector: this.selector, daemonSet: this.daemonSet, tokenSecret: this.tokenSecret });
  }
}
