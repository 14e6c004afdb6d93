/**
 * The tracked stack file stays byte for byte as git has it, although Pulumi
 * rewrites it (adding `encryptionsalt:`, dropping comments) on every stack it
 * creates. The "Pulumi" here is a function doing to the file what the CLI does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stackFileGuard } from "../../runner/stack-file-guard";

const TRACKED = "# The dev stack: edit me.\nconfig:\n  svclab:clusterName: svclab # the kind cluster\n";
const SALT = "v1:abcdefgh:v1:ijklmnop:qrstuvwx";

let dir: string;
let stackFile: string;
let sideDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-stack-file-"));
  stackFile = path.join(dir, "Pulumi.dev.yaml");
  sideDir = path.join(dir, ".pulumi-state", "svclab-owned");
  fs.writeFileSync(stackFile, TRACKED);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What `pulumi stack init` does to the file: re-serialises it (comments gone) with a salt when it has none. */
function pulumiWritesSalt(): string {
  const text = fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "";
  const salt = /^encryptionsalt: (.*)$/m.exec(text)?.[1];
  if (salt === undefined) {
    fs.writeFileSync(stackFile, `encryptionsalt: ${SALT}\nconfig:\n  svclab:clusterName: svclab\n`);
  }
  return salt ?? "(new)";
}

describe("stackFileGuard", () => {
  it("restores the tracked file after Pulumi added its salt, and gives Pulumi that salt on the next run", async () => {
    const guard = stackFileGuard(stackFile, sideDir, "dev");
    await expect(guard.around(async () => pulumiWritesSalt())).resolves.toBe("(new)");
    expect(fs.readFileSync(stackFile, "utf8")).toBe(TRACKED);

    const seen = await guard.around(async () => pulumiWritesSalt());
    expect(seen).toBe(SALT);
    expect(fs.readFileSync(stackFile, "utf8")).toBe(TRACKED);
  });

  it("restores the file when the Pulumi command fails", async () => {
    const guard = stackFileGuard(stackFile, sideDir, "dev");
    await expect(
      guard.around(async () => {
        pulumiWritesSalt();
        throw new Error("update failed");
      }),
    ).rejects.toThrow("update failed");
    expect(fs.readFileSync(stackFile, "utf8")).toBe(TRACKED);
  });

  it("repairs the file a killed run left with the salt, before the next command", async () => {
    fs.mkdirSync(sideDir, { recursive: true });
    fs.writeFileSync(path.join(sideDir, "stack-file-dev.original"), TRACKED);
    fs.writeFileSync(stackFile, `encryptionsalt: ${SALT}\nconfig: {}\n`);
    let during = "";
    await stackFileGuard(stackFile, sideDir, "dev").around(async () => {
      during = fs.readFileSync(stackFile, "utf8");
    });
    expect(during).toBe(`${TRACKED}encryptionsalt: ${SALT}\n`);
    expect(fs.readFileSync(stackFile, "utf8")).toBe(TRACKED);
  });

  it("removes a stack file Pulumi created where there was none", async () => {
    fs.rmSync(stackFile);
    await stackFileGuard(stackFile, sideDir, "dev").around(async () => pulumiWritesSalt());
    expect(fs.existsSync(stackFile)).toBe(false);
  });
});
