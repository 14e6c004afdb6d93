import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

/** Two clusters, the current context on the other one than the lab's. */
const KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "# the user's comment stays",
  "current-context: k3s",
  "clusters:",
  "  - { name: k3s, cluster: { server: \"https://127.0.0.1:6443\" } }",
  "  - { name: lab, cluster: { server: \"https://127.0.0.2:6443\" } }",
  "contexts:",
  "  - { name: k3s, context: { cluster: k3s, user: me } }",
  "  - { name: k3s-lab, context: { cluster: lab, user: me } }",
  "users:",
  "  - { name: me, user: { token: t } }",
  "",
].join("\n");
const world = installMocks();
let dir: string;
let path: string;
beforeEach(() => {
  world.reset();
  dir = mkdtempSync(join(tmpdir(), "svclab-kubeconfig-"));
  path = join(dir, "config");
  writeFileSync(path, KUBECONFIG);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("ExistingCluster", () => {
  test("builds a provider from the named file and context, and nothing else", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const cluster = new ExistingCluster("prod", { kubeconfig: path, context: "k3s-lab" });
    await promiseOf(cluster.provider.urn);
    expect(world.resources.map((r) => `${r.type} ${r.name}`)).toEqual([
      "svclab:index:ExistingCluster prod",
      "pulumi:providers:kubernetes prod-provider",
    ]);
    const provider = world.byName("prod-provider");
    expect(provider.inputs.context).toBe("k3s-lab");
    expect(provider.inputs.kubeconfig.value).toBe(KUBECONFIG.replace("current-context: k3s\n", "current-context: k3s-lab\n"));
    expect(await promiseOf(cluster.provider.urn)).toContain("svclab:index:ExistingCluster$pulumi:providers:kubernetes::prod-provider");
  });

  test("its kubeconfig output points at the named context, so a verifier that names none reaches the stack's cluster", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const { loadKubeTarget } = await import("../../verifier/kube/config");
    const cluster = new ExistingCluster("prod", { kubeconfig: path, context: "k3s-lab" });
    const output = await promiseOf(cluster.kubeconfig);
    expect(output).toContain("# the user's comment stays");
    const file = join(dir, "from-output");
    writeFileSync(file, output);
    expect(loadKubeTarget(file)).toMatchObject({ context: "k3s-lab", server: "https://127.0.0.2:6443" });
  });

  test("without a named context the file is used as it is", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const cluster = new ExistingCluster("prod", { kubeconfig: path });
    await promiseOf(cluster.provider.urn);
    expect(await promiseOf(cluster.kubeconfig)).toBe(KUBECONFIG);
  });

  test("a context the file does not have is refused, naming the ones it has", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    expect(messageThrownBy(() => new ExistingCluster("bad", { kubeconfig: path, context: "gke" }))).toBe(
      `context must name a context in ${path}; got "gke", the file has "k3s", "k3s-lab"`,
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  test("exposes the kubeconfig as a secret", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const cluster = new ExistingCluster("prod", { kubeconfig: path, context: "k3s-lab" });
    expect(await promiseOf(cluster.kubeconfig)).toContain("current-context: k3s-lab\n");
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    expect(await promiseOf(cluster.context)).toBe("k3s-lab");
  });

  test("registers exactly its public outputs", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const spy = jest.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
    try {
      const cluster = new ExistingCluster("prod", { kubeconfig: path, context: "k3s-lab" });
      await Promise.all([promiseOf(cluster.urn), promiseOf(cluster.provider.urn)]);
      const call = spy.mock.calls.find((c) => c[0] && "context" in (c[0] as object));
      expect(Object.keys(call![0] as object).sort()).toEqual(["context", "kubeconfig"]);
    } finally {
      spy.mockRestore();
    }
  });

  test("a kubeconfig path that cannot be read is refused before anything is registered", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    const missing = join(dir, "missing");
    expect(messageThrownBy(() => new ExistingCluster("bad", { kubeconfig: missing }))).toBe(
      `kubeconfig must be the path of a readable kubeconfig file; "${missing}" could not be read (ENOENT)`,
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  test("an empty context is refused", async () => {
    const { ExistingCluster } = await import("../../components/existing-cluster");
    expect(messageThrownBy(() => new ExistingCluster("bad", { kubeconfig: path, context: " " }))).toBe(
      `context must name a context in ${path}; got ""`,
    );
  });
});
