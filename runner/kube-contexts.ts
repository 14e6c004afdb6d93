/**
 * Finds kubeconfig contexts the way kubectl resolves its files: the paths in
 * KUBECONFIG (joined with the platform's path delimiter), else
 * `~/.kube/config`. kind adds `kind-<name>` on create and removes it on
 * delete; `down` uses this to prove nothing of the lab is left there.
 * https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#the-kubeconfig-environment-variable
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

/** The kubeconfig files kubectl would read for this environment. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string[] {
  const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file.length > 0);
  return fromEnv.length > 0 ? fromEnv : [path.join(home, ".kube", "config")];
}

/** The files among `files` that define a context named `context`; unreadable or missing files are skipped. */
export function filesWithContext(files: readonly string[], context: string): string[] {
  return files.filter((file) => {
    try {
      const config = parse(fs.readFileSync(file, "utf8")) as { contexts?: { name?: string }[] } | null;
      return (config?.contexts ?? []).some((entry) => entry.name === context);
    } catch {
      return false;
    }
  });
}

/** The current-context kubectl would use: the first file among `files` that sets one; `null` when none does. */
export function currentContext(files: readonly string[]): string | null {
  for (const file of files) {
    try {
      const config = parse(fs.readFileSync(file, "utf8")) as { "current-context"?: unknown } | null;
      const current = config?.["current-context"];
      if (typeof current === "string" && current.length > 0) {
        return current;
      }
    } catch {
      // A missing or unreadable file sets nothing, as for kubectl.
    }
  }
  return null;
}
