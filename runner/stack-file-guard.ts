/**
 * Keeps the tracked `stacks/Pulumi.<stack>.yaml` as it is in git. Pulumi
 * writes the passphrase provider's `encryptionsalt:` into that file when it
 * creates the stack, re-serialising it (comments and layout go), so the first
 * `lab` would leave the checkout dirty. The runner therefore keeps the salt
 * beside the state (`.pulumi-state/svclab-owned/`), adds it to the file only
 * while a Pulumi command runs, and puts the file's original bytes back when
 * the command ends. A copy of the original is kept while Pulumi runs, so a
 * run killed outright is repaired by the next one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface StackFileGuard {
  /** Runs `operation` (a Pulumi command) with the salt in the stack file, and restores the file afterwards. */
  around<T>(operation: () => Promise<T>): Promise<T>;
}

/** The salt line Pulumi reads, or `undefined` when the YAML holds none. */
function saltIn(text: string): string | undefined {
  try {
    const value = (parse(text) as { encryptionsalt?: unknown } | null)?.encryptionsalt;
    return typeof value === "string" && value.length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A guard for `stackFile`, keeping its salt and the in-flight copy in `sideDir`. */
export function stackFileGuard(stackFile: string, sideDir: string, stackName: string): StackFileGuard {
  const saltFile = path.join(sideDir, `encryptionsalt-${stackName}`);
  const originalCopy = path.join(sideDir, `stack-file-${stackName}.original`);
  const absentMark = path.join(sideDir, `stack-file-${stackName}.absent`);

  const restore = (): void => {
    if (fs.existsSync(stackFile)) {
      const salt = saltIn(fs.readFileSync(stackFile, "utf8"));
      if (salt !== undefined) {
        fs.mkdirSync(sideDir, { recursive: true });
        fs.writeFileSync(saltFile, `${salt}\n`, { mode: 0o600 });
      }
    }
    if (fs.existsSync(originalCopy)) {
      fs.copyFileSync(originalCopy, stackFile);
      fs.rmSync(originalCopy);
    } else if (fs.existsSync(absentMark)) {
      // The file did not exist before Pulumi made it: it goes again.
      fs.rmSync(stackFile, { force: true });
      fs.rmSync(absentMark);
    }
  };

  const prepare = (): void => {
    // A run killed while Pulumi ran left the file with the salt: put the original back first.
    if (fs.existsSync(originalCopy) || fs.existsSync(absentMark)) {
      restore();
    }
    fs.mkdirSync(sideDir, { recursive: true });
    if (!fs.existsSync(stackFile)) {
      fs.writeFileSync(absentMark, "");
      return;
    }
    const original = fs.readFileSync(stackFile, "utf8");
    fs.copyFileSync(stackFile, originalCopy);
    const salt = fs.existsSync(saltFile) ? fs.readFileSync(saltFile, "utf8").trim() : "";
    if (salt !== "" && saltIn(original) === undefined) {
      fs.writeFileSync(stackFile, `${original}${original.endsWith("\n") || original === "" ? "" : "\n"}encryptionsalt: ${salt}\n`);
    }
  };

  return {
    async around(operation) {
      prepare();
      try {
        return await operation();
      } finally {
        restore();
      }
    },
  };
}
