/**
 * The lab's kubeconfig lives in the stack outputs (a secret). The verifier
 * reads a file, so it gets a private temporary copy that is removed however
 * verification ends.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Writes `kubeconfig` to a fresh 0600 file, runs `use` with its path, and removes the file and its directory afterwards. */
export async function withTempKubeconfig<T>(kubeconfig: string, use: (file: string) => Promise<T>): Promise<T> {
  // mkdtemp gives a directory only this user can list; the file itself is 0600.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-kubeconfig-"));
  const file = path.join(dir, "kubeconfig");
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  // A Ctrl-C during verification exits the process at once: remove the copy then too.
  process.once("exit", remove);
  try {
    fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
    return await use(file);
  } finally {
    process.off("exit", remove);
    remove();
  }
}
