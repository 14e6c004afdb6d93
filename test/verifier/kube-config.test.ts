/**
 * Kubeconfig trouble is one line naming the file and what to do, never a
 * library TypeError, "(none)" or a connection refused by localhost:8080.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VerifyOptionError } from "../../verifier/errors";
import { loadKubeTarget } from "../../verifier/kube/config";

let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-kubeconfig-"));
  process.env.HOME = dir;
  delete process.env.KUBECONFIG;
  delete process.env.KUBERNETES_SERVICE_HOST;
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function failure(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyOptionError);
    return (error as Error).message;
  }
  throw new Error("expected loadKubeTarget to fail");
}

const CONTEXTS = [
  "apiVersion: v1",
  "kind: Config",
  "clusters: [{name: a, cluster: {server: 'https://127.0.0.1:6443'}}, {name: b, cluster: {server: 'https://127.0.0.1:6444'}}]",
  "users: [{name: u, user: {token: t}}]",
  "contexts: [{name: kind-a, context: {cluster: a, user: u}}, {name: kind-b, context: {cluster: b, user: u}}]",
].join("\n");

describe("loadKubeTarget", () => {
  it("names an empty kubeconfig file and how to fill it", () => {
    const file = path.join(dir, "empty");
    fs.writeFileSync(file, "\n");
    expect(failure(() => loadKubeTarget(file))).toBe(
      `the kubeconfig ${file} is empty (no clusters, users or contexts): point --kubeconfig at a real one, e.g. \`kind get kubeconfig --name svclab > ${file}\``,
    );
  });

  it("says there is no kubeconfig at all instead of trying localhost:8080", () => {
    expect(failure(() => loadKubeTarget())).toBe(
      `no kubeconfig: KUBECONFIG is not set and ${path.join(dir, ".kube", "config")} does not exist; pass --kubeconfig <file>, set KUBECONFIG, or create the lab first (\`npm run lab\`; kind writes its context into ~/.kube/config)`,
    );
    process.env.KUBECONFIG = path.join(dir, "gone");
    expect(failure(() => loadKubeTarget())).toMatch(/^no kubeconfig: none of the files in KUBECONFIG exists \(.*gone\)/);
  });

  it("names a missing --kubeconfig file", () => {
    const file = path.join(dir, "nope");
    expect(failure(() => loadKubeTarget(file))).toBe(`the kubeconfig ${file} does not exist: check the path given to --kubeconfig`);
  });

  it("lists the contexts when none is current", () => {
    const file = path.join(dir, "config");
    fs.writeFileSync(file, CONTEXTS);
    expect(failure(() => loadKubeTarget(file))).toBe(
      `the kubeconfig ${file} sets no current-context: pass --context <name> (it has: kind-a, kind-b) or run \`kubectl config use-context <name>\``,
    );
    expect(loadKubeTarget(file, "kind-b").server).toBe("https://127.0.0.1:6444");
  });

  it("loads a kubeconfig with a current context as before", () => {
    const file = path.join(dir, "config");
    fs.writeFileSync(file, `${CONTEXTS}\ncurrent-context: kind-a\n`);
    expect(loadKubeTarget(file)).toMatchObject({ context: "kind-a", server: "https://127.0.0.1:6443" });
  });
});
