/**
 * LabNamespace: the namespace the lab runs in, enforcing the `restricted`
 * Pod Security Standard through Pod Security Admission.
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { commonLabels } from "./labels";
import { assertDns1035Label } from "./validation";

/** The namespace svclab uses unless told otherwise (docs/CONTRACTS.md). */
export const DEFAULT_NAMESPACE = "svclab";

/** Pod Security Admission labels: reject, audit and warn on anything short of `restricted`. */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

/** Arguments of LabNamespace (each description is also the field's documentation in the generated SDKs). */
export interface LabNamespaceArgs {
  /** The namespace's name, a DNS-1035 label. Default: svclab. @default "svclab" */
  readonly name?: string;
}

/** A Namespace with the svclab labels and the restricted Pod Security Admission labels. */
export class LabNamespace extends pulumi.ComponentResource {
  /** The namespace's name, known once the Namespace exists (children should depend on it). */
  readonly name: pulumi.Output<string>;
  /** The Namespace itself. */
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: LabNamespaceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const namespaceName = args.name ?? DEFAULT_NAMESPACE;
    assertDns1035Label("LabNamespace.name", namespaceName);
    super("svclab:index:LabNamespace", name, {}, opts);

    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: namespaceName, labels: { ...commonLabels(), ...POD_SECURITY_LABELS } } },
      { parent: this },
    );
    this.name = this.namespace.metadata.name;

    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
