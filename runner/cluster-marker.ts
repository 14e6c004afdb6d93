/**
 * Proof, kept outside the Pulumi state, that this checkout's lab made a kind
 * cluster. Pulumi records a cluster only once `kind create cluster` has
 * finished; a Ctrl-C or SIGTERM during it (Pulumi cancels the provider,
 * pulumi-command kills the script) leaves a half-made cluster the state never
 * names. So `lab` writes a marker file before the `up` that may create the
 * cluster (only after preflight saw no cluster of that name), removes it when
 * that `up` fails and left no cluster, and `down` removes it once the cluster
 * is gone. While it exists, a cluster of that name is the lab's: `lab`
 * deletes a half-made one before `up`, `down` deletes it.
 * The marker also keeps the kubectl context that was current before kind
 * switched it, so `down` can switch back.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What the marker file holds. */
export interface ClusterMarker {
  readonly clusterName: string;
  readonly stack: string;
  /** ISO time the marker was written (before `up`). */
  readonly writtenAt: string;
  /** The kubectl current-context before the lab ran; `null` when there was none. */
  readonly previousContext: string | null;
}

/** Reads, writes and removes the markers of one state directory. */
export interface ClusterMarkers {
  /** Where the markers live, for messages. */
  readonly dir: string;
  read(clusterName: string): ClusterMarker | undefined;
  write(marker: ClusterMarker): void;
  remove(clusterName: string): void;
}

/** The folder, inside the state directory (git-ignored with it), that holds the markers. */
export const MARKER_DIR_NAME = "svclab-owned";

/** Markers under `<stateDir>/svclab-owned/kind-<name>.json`. */
export function clusterMarkers(stateDir: string): ClusterMarkers {
  const dir = path.join(stateDir, MARKER_DIR_NAME);
  const file = (clusterName: string) => path.join(dir, `kind-${clusterName}.json`);
  return {
    dir,
    read(clusterName) {
      try {
        const content = JSON.parse(fs.readFileSync(file(clusterName), "utf8")) as Partial<ClusterMarker>;
        return content.clusterName === clusterName
          ? { clusterName, stack: String(content.stack ?? ""), writtenAt: String(content.writtenAt ?? ""), previousContext: typeof content.previousContext === "string" ? content.previousContext : null }
          : undefined;
      } catch {
        return undefined;
      }
    },
    write(marker) {
      fs.mkdirSync(dir, { recursive: true });
      // Written whole to a temporary name first: a marker cut off mid-write would prove nothing.
      const temporary = `${file(marker.clusterName)}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, `${JSON.stringify(marker, null, 2)}\n`);
      fs.renameSync(temporary, file(marker.clusterName));
    },
    remove(clusterName) {
      fs.rmSync(file(clusterName), { force: true });
    },
  };
}
