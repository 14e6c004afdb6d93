/**
 * Reads what the lab's Pulumi state says it made: which kind cluster and
 * which Docker containers it owns, and which operations an interrupted run
 * left pending. Pure functions over `pulumi stack export` JSON.
 *
 * The runner may not import the components (CONTRACTS.md import rules), so
 * the two facts it needs about them are restated here and read from state:
 * the KindCluster component runs `kind` through a `command:local:Command`
 * whose environment names the cluster in `SVCLAB_KIND_CLUSTER`, and
 * cloud-provider-kind runs as a `docker:index/container:Container`.
 */

/** Environment variable in which the KindCluster component's command names its cluster. */
export const KIND_CLUSTER_ENV = "SVCLAB_KIND_CLUSTER";
const COMMAND_TYPE = "command:local:Command";
const CONTAINER_TYPE = "docker:index/container:Container";
/** An image the lab built (`docker build`); the Docker provider's delete leaves it on the machine. */
const BUILT_IMAGE_TYPE = "docker:index/image:Image";
/** An image the lab pulled (cloud-provider-kind); kept locally on purpose. */
const PULLED_IMAGE_TYPE = "docker:index/remoteImage:RemoteImage";

/** An operation an interrupted `up` or `destroy` did not finish. */
export interface PendingOperation {
  readonly urn: string;
  /** Resource type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** `creating`, `updating`, `deleting`, `reading`, `importing`. */
  readonly operation: string;
}

/** The parts of a stack's state the runner acts on. */
export interface StackSnapshot {
  /** Resources in the state besides the stack itself and providers. */
  readonly resourceCount: number;
  readonly pendingOperations: readonly PendingOperation[];
  /** kind clusters the state records as created. */
  readonly clusterNames: readonly string[];
  /** kind clusters whose creation was interrupted: they may exist and are the lab's. */
  readonly pendingClusterNames: readonly string[];
  /** Docker containers the state records (cloud-provider-kind). */
  readonly containerNames: readonly string[];
  /** Docker containers whose creation was interrupted: they may exist and are the lab's. */
  readonly pendingContainerNames: readonly string[];
  /** Images the lab built (e.g. `svclab-demo:<hash>`); `down` removes them, as destroy does not. Absent in older snapshots. */
  readonly builtImages?: readonly string[];
  /** Images the lab pulled (e.g. cloud-provider-kind); kept, and listed by `down` as kept. */
  readonly pulledImages?: readonly string[];
}

/** The snapshot of a stack that has no state yet. */
export const EMPTY_SNAPSHOT: StackSnapshot = Object.freeze({ resourceCount: 0, pendingOperations: [], clusterNames: [], pendingClusterNames: [], containerNames: [], pendingContainerNames: [] });

interface StateResource {
  readonly urn?: string;
  readonly type?: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** Builds a snapshot from `Deployment.deployment` (the `pulumi stack export` body). */
export function readSnapshot(deployment: unknown): StackSnapshot {
  const body = (deployment ?? {}) as { resources?: StateResource[]; pending_operations?: { resource?: StateResource; type?: string }[] };
  const resources = body.resources ?? [];
  const pending = (body.pending_operations ?? []).map((entry) => ({ resource: entry.resource ?? {}, operation: entry.type ?? "unknown" }));
  const pendingCreates = pending.filter((entry) => entry.operation === "creating").map((entry) => entry.resource);
  return {
    resourceCount: resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack" && !(resource.type ?? "").startsWith("pulumi:providers:")).length,
    pendingOperations: pending.map((entry) => ({ urn: entry.resource.urn ?? "", type: entry.resource.type ?? "", operation: entry.operation })),
    clusterNames: unique(resources.map(kindClusterName)),
    pendingClusterNames: unique(pendingCreates.map(kindClusterName)),
    containerNames: unique(resources.map(containerName)),
    pendingContainerNames: unique(pendingCreates.map(containerName)),
    builtImages: unique(resources.map((resource) => stringField(resource, BUILT_IMAGE_TYPE, "imageName"))),
    pulledImages: unique(resources.map((resource) => stringField(resource, PULLED_IMAGE_TYPE, "name"))),
  };
}

/** True when the state shows the lab created (or was creating) the named kind cluster. */
export function ownsCluster(snapshot: StackSnapshot, clusterName: string): boolean {
  return snapshot.clusterNames.includes(clusterName) || snapshot.pendingClusterNames.includes(clusterName);
}

function kindClusterName(resource: StateResource): string | undefined {
  if (resource.type !== COMMAND_TYPE) {
    return undefined;
  }
  const environment = (resource.outputs?.environment ?? resource.inputs?.environment) as Record<string, unknown> | undefined;
  const name = environment?.[KIND_CLUSTER_ENV];
  return typeof name === "string" ? name : undefined;
}

function containerName(resource: StateResource): string | undefined {
  if (resource.type !== CONTAINER_TYPE) {
    return undefined;
  }
  const name = resource.outputs?.name ?? resource.inputs?.name;
  return typeof name === "string" ? name : undefined;
}

function stringField(resource: StateResource, type: string, field: string): string | undefined {
  if (resource.type !== type) {
    return undefined;
  }
  const value = resource.outputs?.[field] ?? resource.inputs?.[field];
  return typeof value === "string" ? value : undefined;
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}
