/**
 * A content hash of a source tree, used as the demo image tag: the tag changes
 * exactly when the files that go into the image change, so a rebuilt image
 * gets a new name and every node picks it up without a registry.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Directories that never go into the image (dependencies, build output, VCS). */
export const IGNORED_DIRECTORIES: readonly string[] = ["node_modules", "dist", ".git", "coverage"];

/** Hex characters kept from the SHA-256: 12 like a short Docker image id. */
export const SOURCE_HASH_LENGTH = 12;

function listFiles(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return IGNORED_DIRECTORIES.includes(entry.name) ? [] : listFiles(root, path);
    }
    return entry.isFile() ? [relative(root, path).split(sep).join("/")] : [];
  });
}

/**
 * SHA-256 over every file's relative path and bytes, in sorted path order, so
 * the result depends on content and names only (not on mtimes or the OS).
 * Returns the first {@link SOURCE_HASH_LENGTH} hex characters.
 */
export function sourceHash(root: string): string {
  const hash = createHash("sha256");
  for (const file of listFiles(root, root).sort()) {
    hash.update(file).update("\0").update(readFileSync(join(root, file))).update("\0");
  }
  return hash.digest("hex").slice(0, SOURCE_HASH_LENGTH);
}
