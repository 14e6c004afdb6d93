/**
 * Where the demo workload's source (its Docker build context) is: `apps/` of
 * the svclab package, found from this file whether it runs as TypeScript
 * (`components/`) or as the published JavaScript (`lib/components/`, also
 * inside a consumer's `node_modules/svclab`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Levels above this file that may hold svclab's package.json: components/ → root, lib/components/ → root. */
const MAX_LEVELS_UP = 3;

/**
 * The `apps/` directory of the svclab package this file belongs to: the
 * nearest directory above `start` (at most {@link MAX_LEVELS_UP} levels) whose
 * package.json is named svclab. Never a consumer's own `apps/`.
 * @throws Error naming the directories searched when none is found
 */
export function findDemoAppDir(start: string = __dirname): string {
  const searched: string[] = [];
  for (let dir = dirname(start), level = 1; level <= MAX_LEVELS_UP; dir = dirname(dir), level++) {
    searched.push(dir);
    if (isSvclabPackage(join(dir, "package.json"))) {
      return join(dir, "apps");
    }
  }
  throw new Error(`no package.json named svclab in ${searched.join(", ")}: cannot find the demo app's source; pass DemoImage's context`);
}

function isSvclabPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "svclab";
  } catch {
    return false;
  }
}
