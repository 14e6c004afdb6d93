/**
 * Kubeconfig trouble in one line, before @kubernetes/client-node turns it into
 * a riddle: an empty file (a TypeError inside the library), no kubeconfig at
 * all (it silently falls back to http://localhost:8080, so the error is
 * "connection refused"), no current context ("(none)").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const HOW_TO_GET_ONE = "pass --kubeconfig <file>, set KUBECONFIG, or create the lab first (`npm run lab`; kind writes its context into ~/.kube/config)";

/** The files kubectl would read: `explicit`, else the KUBECONFIG list, else ~/.kube/config. */
export function kubeconfigCandidates(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, home: string = env.HOME ?? os.homedir()): string[] {
  if (explicit !== undefined) return [explicit];
  const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file.length > 0);
  return fromEnv.length > 0 ? fromEnv : [path.join(home, ".kube", "config")];
}

/** What is wrong with the kubeconfig files before loading them, or `undefined`. */
export function kubeconfigFileProblem(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, home: string = env.HOME ?? os.homedir()): string | undefined {
  const candidates = kubeconfigCandidates(explicit, env, home);
  const existing = candidates.filter((file) => fs.existsSync(file));
  if (existing.length === 0) {
    if (explicit !== undefined) {
      return `the kubeconfig ${explicit} does not exist: check the path given to --kubeconfig`;
    }
    if (env.KUBERNETES_SERVICE_HOST !== undefined) {
      return undefined; // inside a pod: the service account is the kubeconfig
    }
    const where = (env.KUBECONFIG ?? "") !== "" ? `none of the files in KUBECONFIG exists (${candidates.join(", ")})` : `KUBECONFIG is not set and ${candidates[0]} does not exist`;
    return `no kubeconfig: ${where}; ${HOW_TO_GET_ONE}`;
  }
  if (existing.every((file) => fs.statSync(file).isFile() && fs.readFileSync(file, "utf8").trim() === "")) {
    return `the kubeconfig ${existing.join(", ")} is empty (no clusters, users or contexts): point ${explicit !== undefined ? "--kubeconfig" : "KUBECONFIG"} at a real one, e.g. \`kind get kubeconfig --name svclab > ${existing[0]}\``;
  }
  return undefined;
}

/** The message when the loaded kubeconfig has no current context and none was asked for. */
export function noCurrentContextProblem(files: readonly string[], contexts: readonly string[]): string {
  if (contexts.length === 0) {
    return `the kubeconfig ${files.join(", ")} has no contexts: ${HOW_TO_GET_ONE}`;
  }
  return `the kubeconfig ${files.join(", ")} sets no current-context: pass --context <name> (it has: ${contexts.join(", ")}) or run \`kubectl config use-context <name>\``;
}
