/**
 * The lab's side of the ownership marker ({@link ClusterMarkers}) around
 * `pulumi up`, and the note when kind switched the user's kubectl context.
 */
import type { ClusterMarkers } from "./cluster-marker";
import { CommandRunner, firstLine, runCommand } from "./exec";
import { EXIT_CANNOT_RUN, LabError } from "./errors";
import { currentContext } from "./kube-contexts";
import type { ProgressSink } from "./progress";

export interface ClaimDeps {
  readonly markers: ClusterMarkers;
  readonly log: ProgressSink;
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** Kubeconfig files as kubectl resolves them. */
  readonly kubeconfigFiles: readonly string[];
}

/** What preflight and the state said about the lab's kind cluster. */
export interface ClusterFacts {
  readonly clusterName: string;
  readonly stack: string;
  /** `kind get clusters` lists it. */
  readonly exists: boolean;
  /** The stack's state records it as created. */
  readonly recorded: boolean;
  /** The state has a pending create of it (recovery deletes that one). */
  readonly pendingCreate: boolean;
}

/**
 * Before `up`: drops a marker whose cluster is gone, deletes a cluster the
 * marker proves is the lab's but the state does not record (its creation was
 * cut off, so it may be incomplete, and the create script would refuse it),
 * and writes the marker when `up` may create the cluster.
 */
export async function claimClusterBeforeUp(facts: ClusterFacts, deps: ClaimDeps): Promise<void> {
  const run = deps.run ?? runCommand;
  const env = deps.env ?? process.env;
  let marker = deps.markers.read(facts.clusterName);
  if (marker !== undefined && !facts.exists) {
    deps.markers.remove(facts.clusterName);
    marker = undefined;
  }
  if (marker !== undefined && !facts.recorded && !facts.pendingCreate) {
    deps.log(`deleting kind cluster "${facts.clusterName}": an interrupted run of this lab began creating it (marker in ${deps.markers.dir}) and the stack never recorded it, so it may be incomplete`);
    const deleted = await run("kind", ["delete", "cluster", "--name", facts.clusterName], { env, timeoutMs: 180_000 });
    if (deleted.outcome !== "ok") {
      throw new LabError(`\`kind delete cluster --name ${facts.clusterName}\` failed (${firstLine(deleted.stderr) || deleted.outcome}); run it yourself, then try again`, EXIT_CANNOT_RUN);
    }
  }
  if (!facts.recorded) {
    deps.markers.write({
      clusterName: facts.clusterName,
      stack: facts.stack,
      writtenAt: new Date().toISOString(),
      // A half-made cluster may already have switched the context: the first marker's value is the user's.
      previousContext: marker?.previousContext ?? currentContext(deps.kubeconfigFiles),
    });
  }
}

/** After a failed `up`: the marker goes when no cluster of the name exists (nothing to own); it stays while one does. */
export async function releaseClusterAfterFailedUp(clusterName: string, deps: ClaimDeps): Promise<void> {
  const listed = await (deps.run ?? runCommand)("kind", ["get", "clusters"], { env: deps.env ?? process.env });
  if (listed.outcome === "ok" && !listed.stdout.split(/\r?\n/).map((line) => line.trim()).includes(clusterName)) {
    deps.markers.remove(clusterName);
  }
}

/** One line when `kind create cluster` made `kind-<name>` the current kubectl context during `up`, else `undefined`. */
export function contextSwitchNote(before: string | null, after: string | null, clusterName: string): string | undefined {
  const context = `kind-${clusterName}`;
  if (after !== context || before === context) {
    return undefined;
  }
  const was = before === null ? "there was none before" : `it was "${before}"`;
  return `Note: kind made "${context}" your current kubectl context (${was}); \`npm run lab:down\` switches back${before === null ? "" : ` to "${before}"`}, or run \`kubectl config use-context ${before ?? "<name>"}\` yourself.`;
}
