/**
 * Checks, before any probe runs, that a report file can be written where
 * `--out` points: a run of minutes must not end in "no such folder".
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What is wrong with writing a report to `file`, as one line naming the path and what to do; `undefined` when it can be written. */
export function reportDestinationProblem(file: string): string | undefined {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  if (fs.existsSync(target)) {
    if (fs.statSync(target).isDirectory()) {
      return `--out ${file} is a folder: give the report a file name, e.g. ${path.join(file, "report.xml")}`;
    }
    return writable(target) ? undefined : `--out ${file} cannot be written (no permission): choose another path`;
  }
  if (!fs.existsSync(folder)) {
    return `--out ${file}: the folder ${path.dirname(file) || "."} does not exist: create it first (\`mkdir -p ${path.dirname(file)}\`) or choose another path`;
  }
  if (!fs.statSync(folder).isDirectory()) {
    return `--out ${file}: ${path.dirname(file)} is a file, not a folder: choose another path`;
  }
  return writable(folder) ? undefined : `--out ${file}: the folder ${path.dirname(file)} is not writable: choose another path`;
}

function writable(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
