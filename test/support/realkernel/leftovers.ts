/**
 * One world per machine, and nothing left behind by a killed one.
 *
 * Worlds use the same addresses (the capture's), so two at once would clash in
 * the root namespace: a lock directory under /run serialises them (a second
 * jest worker waits). Before a world starts, whatever an earlier run whose
 * process is gone left behind — namespaces and their processes, the root link,
 * /etc/netns entries — is removed by the family prefix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ipBatch, run } from "./commands";
import { FAMILY_PREFIX, isWorldName } from "./names";

const LOCK_DIR = "/run/svclab-realkernel.lock";
/** The route protocol number (`ip route ... proto N`, 0-255; above 200 is unassigned) that marks the root namespace route a world added. */
export const WORLD_ROUTE_PROTO = "211";
const ETC_NETNS = "/etc/netns";
/** How long a world waits for another run's world to go away: less than the suite's 3-minute beforeAll, so the lock message is what a waiting run reports. */
const LOCK_WAIT_MS = 150_000;
const LOCK_POLL_MS = 500;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function pidOf(name: string): number {
  return Number(new RegExp(`^${FAMILY_PREFIX}(\\d+)`).exec(name)?.[1] ?? Number.NaN);
}

/** A leftover is a world name whose run's process is gone (or this process's own, from an earlier world in it). */
function isLeftover(name: string): boolean {
  if (!isWorldName(name)) return false;
  const pid = pidOf(name);
  return pid === process.pid || !isAlive(pid);
}

const UNWRITTEN_LOCK_MS = 10_000;

function lockAgeMs(): number {
  try {
    return Date.now() - fs.statSync(LOCK_DIR).mtimeMs;
  } catch {
    return 0;
  }
}

/** The pid written in the lock, or undefined when there is none (yet). */
function lockHolder(): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK_DIR, "pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the machine-wide world lock, waiting for a live holder; a dead holder's lock is taken over. */
export async function acquireWorldLock(): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, "pid"), String(process.pid));
      return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = lockHolder();
    if (holder === undefined) {
      // Just made and its pid not yet written, or just released: look again shortly; a lock
      // without a pid for longer than that was left by a process killed in between.
      if (lockAgeMs() > UNWRITTEN_LOCK_MS) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      continue;
    }
    if (holder === process.pid || !isAlive(holder)) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another network-namespace world (process ${holder}, lock ${LOCK_DIR}) did not finish within ${LOCK_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** Names of the network namespaces that exist now. */
export async function namespaces(): Promise<string[]> {
  const listed = await run(["ip", "netns", "list"]);
  return listed.split("\n").map((line) => line.trim().split(/\s+/)[0]).filter((name) => name !== undefined && name !== "");
}

/** Names of the root namespace's links. */
async function rootLinks(): Promise<string[]> {
  const listed = await run(["ip", "-o", "link", "show"]);
  return listed.split("\n").map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
}

/** Kills every process in the namespaces, then deletes them. */
export async function deleteNamespaces(names: readonly string[]): Promise<void> {
  for (const name of names) {
    const pids = await run(["ip", "netns", "pids", name]).catch(() => "");
    for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await ipBatch(names.map((name) => `netns del ${name}`)).catch(async () => {
    // One failing line stops a batch; fall back to one at a time so the rest still go.
    for (const name of names) await run(["ip", "netns", "del", name]).catch(() => undefined);
  });
}

/** Removes what earlier, killed runs left behind; call it holding the lock. Returns what was removed (for the log). */
export async function removeLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  const staleNamespaces = (await namespaces()).filter(isLeftover);
  await deleteNamespaces(staleNamespaces);
  removed.push(...staleNamespaces);
  for (const link of (await rootLinks()).filter(isLeftover)) {
    await run(["ip", "link", "del", link]).catch(() => undefined);
    removed.push(link);
  }
  // The world's unreachable route, when no live world holds the lock (the caller does): a killed run's.
  const marked = await run(["ip", "route", "show", "proto", WORLD_ROUTE_PROTO]);
  for (const line of marked.split("\n").filter((l) => l.trim() !== "")) {
    await run(["ip", "route", "del", ...line.trim().split(/\s+/), "proto", WORLD_ROUTE_PROTO]).catch(() => undefined);
    removed.push(`route ${line.trim()}`);
  }
  if (fs.existsSync(ETC_NETNS)) {
    for (const entry of fs.readdirSync(ETC_NETNS).filter(isLeftover)) {
      fs.rmSync(path.join(ETC_NETNS, entry), { recursive: true, force: true });
      removed.push(path.join(ETC_NETNS, entry));
    }
  }
  return removed;
}
