import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findStackLocks } from "../../runner/locks";

let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-locks-"));
});
afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

function writeLock(stack: string, id: string, content: object | string): string {
  const dir = path.join(stateDir, ".pulumi", "locks", "organization", "svclab", stack);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}.json`);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("findStackLocks", () => {
  it("finds no locks in a backend that never ran", () => {
    expect(findStackLocks(stateDir, "dev")).toEqual([]);
  });

  it("marks a lock stale only when its process is gone and it was taken on this host", () => {
    const dead = writeLock("dev", "a", { pid: 111, username: "me", hostname: "laptop", timestamp: "2026-11-22T01:00:00Z" });
    const alive = writeLock("dev", "b", { pid: 222, username: "me", hostname: "laptop", timestamp: "2026-11-22T01:00:00Z" });
    const elsewhere = writeLock("dev", "c", { pid: 333, username: "ci", hostname: "runner-7", timestamp: "2026-11-22T01:00:00Z" });
    writeLock("ci", "d", { pid: 444, username: "me", hostname: "laptop", timestamp: "2026-11-22T01:00:00Z" });
    const locks = findStackLocks(stateDir, "dev", (pid) => pid === 222, "laptop");
    const byFile = Object.fromEntries(locks.map((lock) => [lock.file, lock.stale]));
    expect(byFile).toEqual({ [dead]: true, [alive]: false, [elsewhere]: false });
  });

  it("never calls an unreadable lock stale", () => {
    const broken = writeLock("dev", "e", "{not json");
    expect(findStackLocks(stateDir, "dev", () => false, "laptop")).toEqual([{ file: broken, pid: -1, username: "", hostname: "", timestamp: "", stale: false }]);
  });
});
