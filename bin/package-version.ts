/**
 * svclab's version, read from its package.json at run time: the nearest one
 * above this file (bin/ from source, dist/bin/ when built) whose name is
 * svclab, so the built CLI never reports a version frozen at build time.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The `version` of svclab's package.json; throws when none is found above `start`. */
export function packageVersion(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "svclab" && typeof manifest.version === "string") {
        return manifest.version;
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json of svclab found above ${start}`);
    }
  }
}
