/**
 * svclab's version, read from its package.json at run time: the nearest one
 * above this file (bin/ from source, dist/bin/ when built) whose name is
 * svclab, else above the working directory (a build placed elsewhere, as some
 * tests do), so the built CLI never reports a version frozen at build time.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Printed when no package.json of svclab is found. */
export const UNKNOWN_VERSION = "unknown (no package.json of svclab found)";

/** The `version` of svclab's package.json above one of `starts`, else {@link UNKNOWN_VERSION}. */
export function packageVersion(starts: readonly string[] = [__dirname, process.cwd()]): string {
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const version = svclabVersionIn(path.join(dir, "package.json"));
      if (version !== undefined) {
        return version;
      }
      if (path.dirname(dir) === dir) {
        break;
      }
    }
  }
  return UNKNOWN_VERSION;
}

function svclabVersionIn(file: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    return manifest.name === "svclab" && typeof manifest.version === "string" ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}
