/**
 * Validates what the kit sends to Kubernetes against the Kubernetes OpenAPI
 * schema, using kubernetes-models (JSON-schema models generated from the
 * upstream OpenAPI spec). Maps each Pulumi resource type token to its model.
 *
 *   validateK8sObject("kubernetes:apps/v1:Deployment", world.byName("app-frontend").inputs);
 *   validateRecordedK8sObjects(world.resources);   // every kubernetes:* resource
 */
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { RecordedResource } from "./pulumi-mocks";

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: any) => ValidatingModel;

/** Pulumi type token → the kubernetes-models class that validates it. */
const MODELS: Readonly<Record<string, ModelClass>> = {
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:core/v1:Pod": Pod,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:apps/v1:DaemonSet": DaemonSet,
  "kubernetes:batch/v1:Job": Job,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:rbac.authorization.k8s.io/v1:Role": Role,
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": RoleBinding,
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": ClusterRole,
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ClusterRoleBinding,
};

/** True for a Kubernetes object type (not the provider, not a component). */
export function isKubernetesObjectType(type: string): boolean {
  return type.startsWith("kubernetes:");
}

/** The Pulumi type tokens this module can validate. */
export const VALIDATED_TYPES: readonly string[] = Object.keys(MODELS);

/**
 * Throws when `inputs` (what a Pulumi Kubernetes resource sent) violate the
 * OpenAPI schema of `type`, or when `type` has no model here (so an object the
 * kit starts creating cannot slip by unvalidated).
 */
export function validateK8sObject(type: string, inputs: Record<string, any>): void {
  const Model = MODELS[type];
  if (Model === undefined) {
    throw new Error(`no OpenAPI model for ${type}; add it to test/support/k8s-openapi.ts`);
  }
  const { metadata } = inputs;
  const where = `${type} ${metadata?.namespace ?? ""}/${metadata?.name ?? "<unnamed>"}`;
  try {
    new Model(revealSecrets(inputs)).validate();
  } catch (error) {
    throw new Error(`${where} violates the Kubernetes OpenAPI schema: ${(error as Error).message}`);
  }
}

/** Pulumi's marker of a secret value in recorded inputs; the API server sees the plain value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function revealSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (typeof value !== "object" || value === null) return value;
  if (value[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return revealSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
}

/** Validates every recorded Kubernetes object; returns how many were checked. */
export function validateRecordedK8sObjects(resources: readonly RecordedResource[]): number {
  const objects = resources.filter((r) => isKubernetesObjectType(r.type));
  for (const r of objects) {
    validateK8sObject(r.type, r.inputs);
  }
  return objects.length;
}
