/**
 * The real-cluster captures are vendored in test/fixtures so a plain clone can
 * run the suites that read them; in CI the team's copy sits beside the checkout
 * and the vendored one must not drift from it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const repo = join(__dirname, "..", "..");
const vendored = join(repo, "test", "fixtures", "real-cluster-v1.24");
const sharedCopy = join(repo, "..", "shared", "fixtures", "real-cluster-v1.24");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test("the vendored capture holds every node's rules and the API objects", () => {
  const names = filesUnder(vendored).map((f) => relative(vendored, f));
  expect(names).toEqual(
    expect.arrayContaining([
      "services.json",
      "endpointslices.json",
      "pods.json",
      "nodes.json",
      "kube-proxy-iptables.svclab-control-plane.txt",
      "kube-proxy-iptables.svclab-worker.txt",
      "kube-proxy-iptables.svclab-worker2.txt",
      join("backend-not-ready", "endpointslices.json"),
    ]),
  );
});

(existsSync(sharedCopy) ? test : test.skip)("the vendored capture is the shared copy, unchanged", () => {
  const rel = (root: string) => filesUnder(root).map((f) => relative(root, f)).sort();
  expect(rel(vendored)).toEqual(rel(sharedCopy));
  for (const name of rel(sharedCopy)) {
    expect({ name, text: readFileSync(join(vendored, name), "utf8") }).toEqual({ name, text: readFileSync(join(sharedCopy, name), "utf8") });
  }
});
