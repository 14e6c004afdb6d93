/**
 * Stack locks of Pulumi's file ("DIY") backend. Every update writes
 * `.pulumi/locks/<org>/<project>/<stack>/<id>.json` holding the pid, user and
 * host of the process, and removes it at the end; a process that was killed
 * leaves it behind and every later update fails with "the stack is currently
 * locked". A lock is stale when it was taken on this host by a process that
 * no longer runs: only then does the runner remove it (with `pulumi cancel`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface StackLock {
  readonly file: string;
  readonly pid: number;
  readonly username: string;
  readonly hostname: string;
  readonly timestamp: string;
  /** True when the lock was taken on this host by a process that has exited. */
  readonly stale: boolean;
}

/** Reports whether a process runs; replaced in tests. */
export type ProcessProbe = (pid: number) => boolean;

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
export const processIsRunning: ProcessProbe = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Lists the locks held on `stackName` in a file backend rooted at `stateDir`
 * (the directory `file://` points at). Unreadable lock files are reported as
 * live, so they are never removed on a guess.
 */
export function findStackLocks(stateDir: string, stackName: string, isRunning: ProcessProbe = processIsRunning, hostname: string = os.hostname()): StackLock[] {
  const root = path.join(stateDir, ".pulumi", "locks");
  if (!fs.existsSync(root)) {
    return [];
  }
  const entries = fs.readdirSync(root, { recursive: true, withFileTypes: true });
  // Dirent.parentPath arrived in Node 20.12; earlier Node 20 releases call it `path`.
  const dirOf = (entry: fs.Dirent): string => entry.parentPath ?? (entry as fs.Dirent & { path: string }).path;
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json") && path.basename(dirOf(entry)) === stackName)
    .map((entry) => readLock(path.join(dirOf(entry), entry.name), isRunning, hostname));
}

function readLock(file: string, isRunning: ProcessProbe, hostname: string): StackLock {
  try {
    const content = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Omit<StackLock, "file" | "stale">>;
    const pid = typeof content.pid === "number" ? content.pid : -1;
    const lockHost = content.hostname ?? "";
    return {
      file,
      pid,
      username: content.username ?? "",
      hostname: lockHost,
      timestamp: content.timestamp ?? "",
      stale: pid > 0 && lockHost === hostname && !isRunning(pid),
    };
  } catch {
    return { file, pid: -1, username: "", hostname: "", timestamp: "", stale: false };
  }
}
