/**
 * Where the real-kernel world cannot run, `checkRealKernel` says why, and the
 * suite turns that into a skip with the reason. Checked here for the most
 * common case, not being root: as root, in a child process dropped to the
 * `nobody` user; otherwise in this process.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { checkRealKernel, loadCapture } from "../support/realkernel";

const rulesFile = path.join(loadCapture().dir, "kube-proxy-iptables.svclab-worker.txt");
const compiled = path.join(__dirname, "..", "..", "dist", "test", "support", "realkernel", "prerequisites.js");
const NOBODY = 65534;

test("without root the check fails with the reason, which the suite prints as its skip line", () => {
  if (process.platform !== "linux") {
    expect(checkRealKernel(rulesFile)).toEqual({ ok: false, reasons: [`network namespaces need Linux, this is ${process.platform}`] });
    return;
  }
  let result: unknown;
  if (process.getuid?.() === 0) {
    // The compiled module (npm test builds first), run as nobody; its one JSON line is the check's result.
    const child = spawnSync(process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(compiled)}).checkRealKernel(${JSON.stringify(rulesFile)})))`], {
      uid: NOBODY, gid: NOBODY, encoding: "utf8", timeout: 30_000, cwd: "/",
    });
    expect(child.stderr).toBe("");
    result = JSON.parse(child.stdout);
  } else {
    result = checkRealKernel(rulesFile);
  }
  expect(result).toEqual({ ok: false, reasons: expect.arrayContaining(["not root (network namespaces and iptables need root)"]) });
});
