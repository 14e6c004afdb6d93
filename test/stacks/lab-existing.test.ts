/**
 * The whole stack under mocks with `cluster: existing`: no kind, no image
 * build or load, no cloud-provider-kind; the same workload and Services,
 * from a pullable image, through the named kubeconfig context.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installMocks } from "../support/pulumi-mocks";
import { validateRecordedK8sObjects } from "../support/k8s-openapi";
import { fakeAppsDir, resolveOutputs, waitFor } from "./fixtures";

/** The user's current context is another cluster (gke) than the lab's (k3s-lab). */
const KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "current-context: gke",
  "clusters:",
  "  - { name: gke, cluster: { server: \"https://127.0.0.1:6443\" } }",
  "  - { name: lab, cluster: { server: \"https://127.0.0.2:6443\" } }",
  "contexts:",
  "  - { name: gke, context: { cluster: gke, user: me } }",
  "  - { name: k3s-lab, context: { cluster: lab, user: me } }",
  "users:",
  "  - { name: me, user: { token: t } }",
  "",
].join("\n");
const world = installMocks();
const apps = fakeAppsDir();
const home = mkdtempSync(join(tmpdir(), "svclab-existing-"));
const kubeconfigPath = join(home, "config");
writeFileSync(kubeconfigPath, KUBECONFIG);
/** The same file pointing at the lab's context. */
const LAB_KUBECONFIG = KUBECONFIG.replace("current-context: gke\n", "current-context: k3s-lab\n");
let outputs: Record<string, unknown>;
let lab: import("../../stacks/lab").LabOutputs;
let warnings: unknown[][];

beforeAll(async () => {
  pulumi.runtime.setAllConfig({
    "svclab:cluster": "existing",
    "svclab:kubeconfig": kubeconfigPath,
    "svclab:kubeContext": "k3s-lab",
    "svclab:namespace": "services-lab",
    "svclab:image": "ghcr.io/example/svclab-demo:1.0",
  });
  const { loadConfig } = await import("../../stacks/config");
  const { createLab } = await import("../../stacks/lab");
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
  lab = createLab(loadConfig(), { appsDir: apps });
  warnings = warn.mock.calls.map((call) => [...call]);
  warn.mockRestore();
  outputs = await resolveOutputs(lab as any);
  await waitFor(() => world.byType("kubernetes:apps/v1:DaemonSet").length === 1, "the probe DaemonSet");
});
afterAll(() => {
  rmSync(apps, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const k8sObjects = () => world.resources.filter((r) => r.type.startsWith("kubernetes:"));

describe("the stack on an existing cluster", () => {
  test("creates no kind cluster, builds or loads no image and runs no cloud-provider-kind", () => {
    const types = world.resources.map((r) => r.type);
    expect(types).not.toContain("docker:index/image:Image");
    expect(types).not.toContain("svclab:index:KindCluster");
    expect(types).not.toContain("command:local:Command");
    expect(types).not.toContain("svclab:index:LoadBalancerSupport");
    expect(types).not.toContain("docker:index/container:Container");
    expect(types).toContain("svclab:index:ExistingCluster");
  });

  test("creates the same workload and Services, valid against the OpenAPI schema", () => {
    expect(world.byType("kubernetes:apps/v1:Deployment")).toHaveLength(2);
    expect(world.byType("kubernetes:core/v1:Service")).toHaveLength(8);
    expect(validateRecordedK8sObjects(world.resources)).toBe(13); // + the probe token Secret
    expect(new Set(k8sObjects().map((r) => r.inputs.metadata.namespace ?? r.inputs.metadata.name))).toEqual(new Set(["services-lab"]));
  });

  test("talks to the cluster only through the named kubeconfig file and context", () => {
    const provider = world.byName("svclab-cluster-provider");
    expect(provider.inputs.context).toBe("k3s-lab");
    expect(provider.inputs.kubeconfig.value).toBe(LAB_KUBECONFIG);
    expect(new Set(k8sObjects().map((r) => r.provider))).toEqual(
      new Set([
        "urn:pulumi:test::svclab::svclab:index:ExistingCluster$pulumi:providers:kubernetes::svclab-cluster-provider::svclab-cluster-provider-id",
      ]),
    );
  });

  test("does not wait for a LoadBalancer address and says so", () => {
    const lb = k8sObjects().find((r) => r.inputs.metadata?.name === "frontend-lb")!;
    expect(lb.inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    expect(outputs.loadBalancer).toBe(
      "none: LoadBalancer Services are not awaited; svclab runs no load-balancer implementation on an existing cluster, " +
        "so they get an address only if the cluster has one of its own",
    );
  });

  test("says the nodes are unknown and runs the pullable image it was given", () => {
    expect(outputs.clusterMode).toBe("existing");
    // svclab did not choose the network of a cluster it did not create.
    expect([outputs.ipFamily, outputs.kubeProxyMode]).toEqual([expect.stringMatching(/^set by the existing cluster/), expect.stringMatching(/^set by the existing cluster/)]);
    expect(outputs.clusterName).toBe("k3s-lab");
    expect(outputs.nodes).toEqual([]);
    expect(outputs.nodePortUrls).toEqual({});
    expect(outputs.localhostUrls).toEqual({});
    expect(outputs.notes).toEqual([
      "nodes are not listed for an existing cluster; see them with kubectl --context k3s-lab get nodes -o wide",
    ]);
    const frontend = world.byType("kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === "frontend")!;
    expect(frontend.inputs.spec.template.spec.containers[0]).toMatchObject({
      image: "ghcr.io/example/svclab-demo:1.0",
      imagePullPolicy: "IfNotPresent",
    });
    // The same notes are printed during `pulumi up`, not only stored.
    expect(warnings.map(([message]) => message)).toEqual(outputs.notes);
  });

  test("exports a kubeconfig on kubeContext, so the lab's verifier (which names no context) checks the lab's cluster, not the file's current one", async () => {
    const { loadKubeTarget } = await import("../../verifier/kube/config");
    const file = join(home, "from-output");
    writeFileSync(file, outputs.kubeconfig as string);
    expect(loadKubeTarget(file)).toMatchObject({ context: "k3s-lab", server: "https://127.0.0.2:6443" });
  });

  test("exports the kubeconfig as a secret and the API proxy URLs in the chosen namespace", async () => {
    expect(outputs.kubeconfig).toBe(LAB_KUBECONFIG);
    expect(await pulumi.isSecret(lab.kubeconfig)).toBe(true);
    expect((outputs.apiProxyUrls as any)["frontend-sticky"]).toBe(
      "http://localhost:8001/api/v1/namespaces/services-lab/services/frontend-sticky:http/proxy/",
    );
  });
});
