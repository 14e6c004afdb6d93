/**
 * The labels svclab puts on every Kubernetes object it creates, and the pod
 * selectors built from them (docs/CONTRACTS.md, "Kubernetes objects").
 *
 * Uses the recommended label keys so `kubectl get -l` and dashboards understand them:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** `app.kubernetes.io/part-of`: the application every svclab object belongs to. */
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
/** `app.kubernetes.io/component`: which workload an object runs or fronts. */
export const COMPONENT_LABEL = "app.kubernetes.io/component";
/** `app.kubernetes.io/managed-by`: the tool that owns the object. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** The value of {@link PART_OF_LABEL} on everything the kit creates. */
export const PART_OF = "svclab";
/** The value of {@link MANAGED_BY_LABEL} on everything the kit creates. */
export const MANAGED_BY = "pulumi";

/** The workloads of the lab; each is one value of {@link COMPONENT_LABEL}. */
export type WorkloadComponent = "frontend" | "backend" | "probe";

/** Labels for objects that belong to the lab but to no single workload (the Namespace). */
export function commonLabels(): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** All labels for an object of one workload: the common labels plus its component. */
export function componentLabels(component: WorkloadComponent): Record<string, string> {
  return { ...commonLabels(), [COMPONENT_LABEL]: component };
}

/**
 * The pod selector of one workload: `part-of` + `component` only.
 *
 * A selector must stay stable for the life of a Deployment (it is immutable),
 * so it leaves out `managed-by`, which a user could reasonably change.
 */
export function selectorLabels(component: WorkloadComponent): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF, [COMPONENT_LABEL]: component };
}
