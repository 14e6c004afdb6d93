/**
 * Puts a stack back in a state `up` and `destroy` can work from after an
 * interrupted run: a stale lock is removed, a kind cluster or container whose
 * creation was interrupted is deleted (the state proves the lab made it, and
 * a half-made cluster is not worth keeping), and the pending operations are
 * cleared so the next update starts clean.
 * https://www.pulumi.com/docs/iac/support/troubleshooting/#interrupted-update-recovery
 */
import { CommandRunner, firstLine, runCommand } from "./exec";
import { EXIT_CANNOT_RUN, LabError } from "./errors";
import { ProgressSink } from "./progress";
import type { LabBackend } from "./pulumi";
import type { StackSnapshot } from "./stack-state";

export interface RecoverDeps {
  readonly backend: LabBackend;
  readonly log: ProgressSink;
  /** Runs kind and docker. Default {@link runCommand}. */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** The stack name, for the manual command in messages. */
  readonly stackName: string;
}

/** Throws a {@link LabError} when another live process holds the stack. */
export async function recoverInterrupted(snapshot: StackSnapshot, deps: RecoverDeps): Promise<void> {
  const run = deps.run ?? runCommand;
  const env = deps.env ?? process.env;
  const locks = deps.backend.locks();
  const live = locks.filter((lock) => !lock.stale);
  if (live.length > 0) {
    const holder = live.map((lock) => `pid ${lock.pid} (${lock.username}@${lock.hostname}) since ${lock.timestamp}`).join(", ");
    throw new LabError(
      `the stack is locked by another operation: ${holder}; wait for it to end. If no such process runs, remove the lock: PULUMI_BACKEND_URL=${deps.backend.backendUrl} pulumi cancel --yes --stack ${deps.stackName}`,
      EXIT_CANNOT_RUN,
    );
  }
  if (locks.length > 0) {
    deps.log(`removing a stale lock left by an interrupted run (pid ${locks.map((lock) => lock.pid).join(", ")} no longer runs)`);
    await deps.backend.cancel();
  }
  if (snapshot.pendingOperations.length === 0) {
    return;
  }
  deps.log(`an interrupted run left ${snapshot.pendingOperations.length} unfinished operation(s): ${snapshot.pendingOperations.map((op) => `${op.operation} ${op.type}`).join(", ")}`);
  const halfMadeClusters = snapshot.pendingClusterNames.filter((name) => !snapshot.clusterNames.includes(name));
  if (halfMadeClusters.length > 0) {
    const listed = await run("kind", ["get", "clusters"], { env });
    const existing = listed.outcome === "ok" ? listed.stdout.split(/\r?\n/).map((line) => line.trim()) : [];
    for (const name of halfMadeClusters.filter((cluster) => existing.includes(cluster))) {
      deps.log(`deleting kind cluster "${name}": its creation was interrupted, so it may be incomplete`);
      await expectOk(run("kind", ["delete", "cluster", "--name", name], { env, timeoutMs: 180_000 }), `kind delete cluster --name ${name}`);
    }
  }
  for (const name of snapshot.pendingContainerNames.filter((container) => !snapshot.containerNames.includes(container))) {
    const removed = await run("docker", ["rm", "--force", name], { env });
    if (removed.outcome === "ok") {
      deps.log(`removed container "${name}": its creation was interrupted`);
    }
  }
  deps.log("clearing the unfinished operations from the stack state (pulumi refresh --clear-pending-creates)");
  await deps.backend.clearPendingOperations(deps.log);
}

async function expectOk(pending: ReturnType<CommandRunner>, what: string): Promise<void> {
  const result = await pending;
  if (result.outcome !== "ok") {
    throw new LabError(`\`${what}\` failed (${firstLine(result.stderr) || result.outcome}); run it yourself, then try again`, EXIT_CANNOT_RUN);
  }
}
