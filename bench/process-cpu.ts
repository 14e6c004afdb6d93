/**
 * CPU time a process has used, for the sized bench's breakdown: on a shared
 * 2-core machine the wall time depends on what else runs, while the CPU each
 * of the bench's processes burns shows which one is the bottleneck.
 */
import { readFileSync } from "node:fs";

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Seconds of user + system CPU process `pid` has used so far; undefined without /proc (not Linux) or once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: the fields after it start at field 3, so utime (14) and stime (15) are at 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
