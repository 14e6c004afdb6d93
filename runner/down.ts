/**
 * `svclab down`: destroys the lab's stack, then proves nothing of it is left:
 * no kind cluster, no cloud-provider-kind container, no `kind-<name>`
 * kubeconfig context. Safe to run twice and after a failed or interrupted
 * `lab`. It only ever removes what the stack's state shows the lab created;
 * a cluster of the same name that the lab did not make is reported, never
 * touched.
 */
import { errColors as pc } from "./colors";
import { CommandRunner, firstLine, runCommand } from "./exec";
import { EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_LEFTOVERS, EXIT_OK, LabError, summarizeError } from "./errors";
import type { ClusterMarker, ClusterMarkers } from "./cluster-marker";
import { currentContext, filesWithContext, kubeconfigFiles } from "./kube-contexts";
import type { LabIo } from "./lab";
import type { LabSettings } from "./lab-settings";
import type { LabBackend } from "./pulumi";
import { keptOnMachine } from "./kept";
import { removeBuiltImages } from "./lab-images";
import { recoverInterrupted } from "./recover";
import { EMPTY_SNAPSHOT, StackSnapshot } from "./stack-state";

export interface DownDeps {
  readonly backend: LabBackend;
  readonly settings: LabSettings;
  readonly io: LabIo;
  /** Runs kind, docker and kubectl. Default {@link runCommand}. */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** Kubeconfig files to inspect. Default: as kubectl resolves them (KUBECONFIG, else ~/.kube/config). */
  readonly kubeconfigFiles?: readonly string[];
  /** The ownership markers of the lab's state directory: a cluster one names is the lab's even when the state does not record it. */
  readonly markers: ClusterMarkers;
  /** The checkout, to say which of its folders stay. */
  readonly projectDir?: string;
}

export interface DownOptions {
  readonly stackName: string;
  /** Aborting it cancels `destroy` gracefully. */
  readonly signal?: AbortSignal;
  readonly interrupted?: () => boolean;
}

type Finding = { readonly status: "gone" | "removed" | "left" | "unknown" | "foreign"; readonly text: string; readonly kind?: "cluster" };

/** Destroys the lab and checks what is left; resolves to 0 (nothing left), 1 (something left) or throws a LabError. */
export async function runDown(options: DownOptions, deps: DownDeps): Promise<number> {
  const { backend, io } = deps;
  const log = (line: string) => io.err(`  ${pc.dim("·")} ${line}`);
  io.err(pc.bold(`svclab down: stack "${options.stackName}", state in ${backend.backendUrl}`));

  const found = await backend.snapshot();
  const snapshot = found ?? EMPTY_SNAPSHOT;
  if (found === undefined) {
    io.err(`No stack "${options.stackName}" exists: nothing to destroy.`);
  } else {
    await recoverInterrupted(snapshot, { backend, log, run: deps.run, env: deps.env, stackName: options.stackName });
    if (snapshot.resourceCount === 0) {
      io.err(`The stack "${options.stackName}" has no resources: nothing to destroy.`);
    } else {
      io.err(`Destroying ${snapshot.resourceCount} resources with \`pulumi destroy\`…`);
      await destroy(options, deps, snapshot, log);
    }
  }

  const findings = await checkLeftovers(snapshot, deps);
  io.err(["Left behind:", ...findings.map((finding) => `  ${MARKS[finding.status]} ${finding.text}`)].join("\n"));
  const kept = keptOnMachine({
    projectDir: deps.projectDir,
    pulledImages: snapshot.pulledImages ?? [],
    nodeImage: deps.settings.nodeImage,
    kindLab: deps.settings.clusterMode === "kind",
  });
  io.err(["Kept on purpose (README \"Uninstall\" removes them too):", ...kept.map((line) => `  ${pc.dim("·")} ${line}`)].join("\n"));
  if (findings.some((finding) => finding.status === "unknown")) {
    throw new LabError("could not check everything the lab may have left (see above)", EXIT_CANNOT_RUN);
  }
  if (findings.some((finding) => finding.status === "left")) {
    return EXIT_LEFTOVERS;
  }
  const foreignCluster = findings.find((finding) => finding.status === "foreign" && finding.kind === "cluster");
  if (foreignCluster !== undefined) {
    // Never a clean bill while a cluster of the lab's name exists: the next `lab` would refuse it.
    io.err("Nothing this lab can prove it made is left, but a kind cluster of the lab's name exists (see above): `npm run lab` refuses it until it is deleted or the lab gets another clusterName.");
    return EXIT_LEFTOVERS;
  }
  io.err("Nothing the lab made is left (only what is listed as kept stays).");
  return EXIT_OK;
}

const MARKS = { gone: pc.green("✓"), removed: pc.green("✓"), left: pc.red("✗"), unknown: pc.yellow("?"), foreign: pc.yellow("!") } as const;

async function destroy(options: DownOptions, deps: DownDeps, snapshot: StackSnapshot, log: (line: string) => void): Promise<void> {
  try {
    // A kind cluster takes its objects with it, so objects it can no longer answer for (it was
    // deleted by hand, or Docker lost it) may leave the state instead of failing the destroy.
    await deps.backend.destroy(log, { signal: options.signal, forgetUnreachableKubernetesObjects: snapshot.clusterNames.length > 0 });
  } catch (error) {
    if (options.signal?.aborted === true || options.interrupted?.() === true) {
      throw new LabError("interrupted: Pulumi stopped after the deletions in flight and saved its state; run `npm run lab:down` again to finish", EXIT_INTERRUPTED);
    }
    throw new LabError(`pulumi destroy failed: ${summarizeError(error)}; fix the cause and run \`npm run lab:down\` again`, EXIT_CANNOT_RUN);
  }
}

/** Checks the cluster, the containers and the kubeconfig context; removes those the state proves are the lab's. */
async function checkLeftovers(snapshot: StackSnapshot, deps: DownDeps): Promise<Finding[]> {
  const run = deps.run ?? runCommand;
  const env = deps.env ?? process.env;
  // In `existing` mode the lab makes no kind cluster; only what the state recorded is checked.
  const configured = deps.settings.clusterMode === "kind" ? [deps.settings.clusterName] : [];
  const markers = new Map(configured.flatMap((name): [string, ClusterMarker][] => {
    const marker = deps.markers.read(name);
    return marker === undefined ? [] : [[name, marker]];
  }));
  const owned = new Set([...snapshot.clusterNames, ...snapshot.pendingClusterNames, ...markers.keys()]);
  const clusterNames = [...new Set([...configured, ...owned])];
  const goneClusters: string[] = [];
  const findings: Finding[] = [];

  if (clusterNames.length > 0) {
    const listed = await run("kind", ["get", "clusters"], { env });
    if (listed.outcome === "not-found" && owned.size === 0) {
      // Without kind the lab never got as far as a cluster (preflight stops it), and the state names none.
      findings.push({ status: "gone", text: "no kind cluster: kind is not installed and the stack records none" });
      goneClusters.push(...clusterNames);
    } else if (listed.outcome !== "ok") {
      findings.push({ status: "unknown", text: `kind clusters: \`kind get clusters\` failed (${firstLine(listed.stderr) || listed.outcome}); is Docker running and kind on PATH?` });
    } else {
      const existing = listed.stdout.split(/\r?\n/).map((line) => line.trim());
      for (const name of clusterNames) {
        const finding = await settleCluster(name, existing.includes(name), owned.has(name), run, env);
        findings.push(finding);
        if (finding.status === "gone" || finding.status === "removed") {
          goneClusters.push(name);
        }
      }
    }
  }

  for (const name of [...new Set([...snapshot.containerNames, ...snapshot.pendingContainerNames])]) {
    findings.push(await settleContainer(name, run, env));
  }
  findings.push(...(await removeBuiltImages(snapshot.builtImages ?? [], run, env)));

  const files = deps.kubeconfigFiles ?? kubeconfigFiles(env);
  for (const name of clusterNames) {
    findings.push(await settleContext(`kind-${name}`, owned.has(name), files, run, env));
  }
  for (const name of goneClusters) {
    const marker = markers.get(name);
    if (marker === undefined) continue;
    const restored = await restoreContext(marker, files, run, env);
    if (restored !== undefined) findings.push(restored);
    if (restored?.status !== "left") deps.markers.remove(name);
  }
  return findings;
}

async function settleCluster(name: string, exists: boolean, owned: boolean, run: CommandRunner, env: NodeJS.ProcessEnv): Promise<Finding> {
  if (!exists) {
    return { status: "gone", text: `no kind cluster "${name}"` };
  }
  if (!owned) {
    return {
      status: "foreign",
      kind: "cluster",
      text: `kind cluster "${name}" exists but neither this lab's state nor its ownership marker shows the lab made it: left alone (\`kind delete cluster --name ${name}\` removes it if it is yours)`,
    };
  }
  const deleted = await run("kind", ["delete", "cluster", "--name", name], { env, timeoutMs: 180_000 });
  return deleted.outcome === "ok"
    ? { status: "removed", text: `kind cluster "${name}" was still there and has been deleted` }
    : { status: "left", text: `kind cluster "${name}" is still there and \`kind delete cluster --name ${name}\` failed (${firstLine(deleted.stderr) || deleted.outcome})` };
}

async function settleContainer(name: string, run: CommandRunner, env: NodeJS.ProcessEnv): Promise<Finding> {
  const listed = await run("docker", ["ps", "--all", "--quiet", "--filter", `name=^/${name}$`], { env });
  if (listed.outcome !== "ok") {
    return { status: "unknown", text: `container "${name}": \`docker ps\` failed (${firstLine(listed.stderr) || listed.outcome})` };
  }
  if (listed.stdout.trim().length === 0) {
    return { status: "gone", text: `no container "${name}"` };
  }
  const removed = await run("docker", ["rm", "--force", name], { env });
  return removed.outcome === "ok"
    ? { status: "removed", text: `container "${name}" was still there and has been removed` }
    : { status: "left", text: `container "${name}" is still there and \`docker rm --force ${name}\` failed (${firstLine(removed.stderr) || removed.outcome})` };
}

/**
 * kind removes its context when it deletes the cluster. One that outlives the
 * cluster points at nothing: when the state shows the lab made the cluster,
 * it is removed with kubectl (and the message says so); otherwise, or
 * without kubectl, the commands to run are printed and the user's kubeconfig
 * is not edited.
 */
async function settleContext(context: string, owned: boolean, files: readonly string[], run: CommandRunner, env: NodeJS.ProcessEnv): Promise<Finding> {
  const holders = filesWithContext(files, context);
  if (holders.length === 0) {
    return { status: "gone", text: `no kubeconfig context "${context}"` };
  }
  const commands = holders.map((file) => `kubectl config delete-context ${context} --kubeconfig ${file} && kubectl config delete-cluster ${context} --kubeconfig ${file} && kubectl config delete-user ${context} --kubeconfig ${file}`);
  if (!owned) {
    return { status: "foreign", text: `kubeconfig context "${context}" is in ${holders.join(", ")} and the stack state does not show the lab made it: left alone (remove it with: ${commands.join("; ")})` };
  }
  for (const file of holders) {
    for (const kind of ["delete-context", "delete-cluster", "delete-user"]) {
      const result = await run("kubectl", ["config", kind, context, "--kubeconfig", file], { env });
      if (result.outcome !== "ok" && kind === "delete-context") {
        return { status: "left", text: `kubeconfig context "${context}" is still in ${file} and kubectl could not remove it (${firstLine(result.stderr) || result.outcome}); run: ${commands.join("; ")}` };
      }
    }
  }
  return { status: "removed", text: `kubeconfig context "${context}" outlived its cluster and has been removed from ${holders.join(", ")} with kubectl` };
}

/**
 * kind made `kind-<name>` the current context on create and clears it on
 * delete; the context that was current before the lab (kept in the marker)
 * becomes current again, unless the user has switched to another meanwhile.
 */
async function restoreContext(marker: ClusterMarker, files: readonly string[], run: CommandRunner, env: NodeJS.ProcessEnv): Promise<Finding | undefined> {
  const previous = marker.previousContext;
  const current = currentContext(files);
  const labContext = `kind-${marker.clusterName}`;
  if (previous === null || previous === labContext || previous === current || (current !== null && current !== labContext)) {
    return undefined;
  }
  const switched = await run("kubectl", ["config", "use-context", previous], { env });
  return switched.outcome === "ok"
    ? { status: "removed", text: `kubectl context "${previous}" is current again, as before the lab` }
    : { status: "left", text: `the kubectl context "${previous}" that was current before the lab could not be restored (${firstLine(switched.stderr) || switched.outcome}); run: kubectl config use-context ${previous}` };
}
