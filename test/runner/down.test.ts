import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDown, DownDeps } from "../../runner/down";
import { EXIT_CANNOT_RUN, EXIT_LEFTOVERS, LabError } from "../../runner/errors";
import { clusterMarkers } from "../../runner/cluster-marker";
import { runLab } from "../../runner/lab";
import type { LabSettings } from "../../runner/lab-settings";
import { EMPTY_SNAPSHOT } from "../../runner/stack-state";
import { CommandAnswers, FakeBackend, captureIo, fakeRunner } from "./fake-backend";

const settings: LabSettings = { clusterMode: "kind", clusterName: "svclab", hostPorts: [], configFile: "stacks/Pulumi.dev.yaml" };
const noClusters: CommandAnswers = {
  "kind get clusters": { stdout: "" },
  "docker ps --all --quiet --filter name=^/cloud-provider-kind$": { stdout: "" },
};

let tempDir: string;
beforeEach(() => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-down-"));
});
afterEach(() => fs.rmSync(tempDir, { recursive: true, force: true }));

function setup(backend: FakeBackend, answers: CommandAnswers = noClusters, overrides: Partial<DownDeps> = {}) {
  const captured = captureIo();
  const run = fakeRunner(answers);
  const deps: DownDeps = { backend, settings, io: captured.io, run, kubeconfigFiles: [path.join(tempDir, "absent-kubeconfig")], markers: clusterMarkers(path.join(tempDir, "state")), ...overrides };
  return { deps, run, ...captured };
}

describe("down", () => {
  it("succeeds twice in a row: the second run finds nothing to destroy and nothing left", async () => {
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 12, clusterNames: ["svclab"], containerNames: ["cloud-provider-kind"] });
    const first = setup(backend);
    await expect(runDown({ stackName: "dev" }, first.deps)).resolves.toBe(0);
    expect(backend.calls.filter((call) => call === "destroy")).toHaveLength(1);
    expect(first.err.join("\n")).toContain("Nothing the lab made is left (only what is listed as kept stays).");

    const second = setup(backend);
    await expect(runDown({ stackName: "dev" }, second.deps)).resolves.toBe(0);
    expect(backend.calls.filter((call) => call === "destroy")).toHaveLength(1);
    expect(second.err.join("\n")).toContain('The stack "dev" has no resources: nothing to destroy.');
  });

  it("lets a kind lab's destroy forget objects of a cluster that is already gone, and only a kind lab's", async () => {
    const kindLab = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 12, clusterNames: ["svclab"] });
    await runDown({ stackName: "dev" }, setup(kindLab).deps);
    expect(kindLab.destroyOptions[0].forgetUnreachableKubernetesObjects).toBe(true);

    const existingCluster = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 12 });
    await runDown({ stackName: "dev" }, setup(existingCluster, noClusters, { settings: { ...settings, clusterMode: "existing" } }).deps);
    expect(existingCluster.destroyOptions[0].forgetUnreachableKubernetesObjects).toBe(false);
  });

  it("succeeds when no stack exists at all", async () => {
    const backend = new FakeBackend(undefined);
    const { deps, err } = setup(backend);
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(backend.calls).not.toContain("destroy");
    expect(err.join("\n")).toContain('No stack "dev" exists: nothing to destroy.');
    expect(err.join("\n")).toContain('✓ no kind cluster "svclab"');
  });

  it("removes what a failed lab created", async () => {
    const backend = new FakeBackend();
    backend.upError = new Error("error: image build failed");
    const lab = captureIo();
    await expect(
      runLab(
        { stackName: "dev" },
        {
          backend,
          settings,
          io: lab.io,
          run: fakeRunner({}),
          preflight: async () => ({ ok: true, checks: [], kindClusters: [] }),
          verify: jest.fn(),
          markers: clusterMarkers(path.join(tempDir, "state")),
          kubeconfigFiles: [],
        },
      ),
    ).rejects.toBeInstanceOf(LabError);
    const { deps } = setup(backend);
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(backend.calls.filter((call) => call === "destroy")).toHaveLength(1);
    expect(backend.stack?.resourceCount).toBe(0);
  });

  it("deletes a cluster and a container whose creation was interrupted, which destroy cannot see", async () => {
    const backend = new FakeBackend({
      ...EMPTY_SNAPSHOT,
      resourceCount: 0,
      pendingOperations: [{ urn: "urn:pulumi:dev::svclab::command:local:Command::lab-kind", type: "command:local:Command", operation: "creating" }],
      pendingClusterNames: ["svclab"],
      pendingContainerNames: ["cloud-provider-kind"],
    });
    const { deps, run } = setup(backend, {
      "kind get clusters": { stdout: "svclab\n" },
      "kind delete cluster --name svclab": {},
      "docker rm --force cloud-provider-kind": {},
      "docker ps --all --quiet --filter name=^/cloud-provider-kind$": { stdout: "" },
    });
    await runDown({ stackName: "dev" }, deps);
    expect(run.calls).toEqual(expect.arrayContaining(["kind delete cluster --name svclab", "docker rm --force cloud-provider-kind"]));
    expect(backend.calls).toContain("clearPendingOperations");
  });

  it("leaves a kind cluster of the lab's name that the lab never created alone, and does not claim a clean machine", async () => {
    const { deps, run, err } = setup(new FakeBackend(undefined), { "kind get clusters": { stdout: "svclab\n" } });
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(EXIT_LEFTOVERS);
    expect(run.calls).not.toContain("kind delete cluster --name svclab");
    const text = err.join("\n");
    expect(text).toContain(
      'kind cluster "svclab" exists but neither this lab\'s state nor its ownership marker shows the lab made it: left alone (`kind delete cluster --name svclab` removes it if it is yours)',
    );
    expect(text).not.toContain("Nothing the lab made is left");
    expect(text).toContain("a kind cluster of the lab's name exists (see above)");
  });

  it("deletes a half-made cluster that only the ownership marker proves is the lab's (Ctrl-C during kind create)", async () => {
    const markers = clusterMarkers(path.join(tempDir, "state"));
    markers.write({ clusterName: "svclab", stack: "dev", writtenAt: "2026-01-01T00:00:00.000Z", previousContext: null });
    // The cancelled create left nothing in the state: no resource, no pending operation.
    const { deps, run, err } = setup(new FakeBackend({ ...EMPTY_SNAPSHOT }), { ...noClusters, "kind get clusters": { stdout: "svclab\n" }, "kind delete cluster --name svclab": {} });
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(run.calls).toContain("kind delete cluster --name svclab");
    expect(err.join("\n")).toContain('kind cluster "svclab" was still there and has been deleted');
    expect(markers.read("svclab")).toBeUndefined();
  });

  it("removes every image the lab built, which pulumi destroy leaves, and lists what it keeps on purpose", async () => {
    const projectDir = path.join(tempDir, "checkout");
    fs.mkdirSync(path.join(projectDir, ".pulumi-state"), { recursive: true });
    const backend = new FakeBackend({
      ...EMPTY_SNAPSHOT,
      resourceCount: 12,
      clusterNames: ["svclab"],
      builtImages: ["svclab-demo:abc123"],
      pulledImages: ["registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1"],
    });
    const { deps, run, err } = setup(
      backend,
      {
        ...noClusters,
        "docker image ls --format {{.Repository}}:{{.Tag}} svclab-demo": { stdout: "svclab-demo:abc123\nsvclab-demo:older\n" },
        "docker image rm svclab-demo:abc123 svclab-demo:older": {},
      },
      { projectDir, settings: { ...settings, nodeImage: "kindest/node:v1.33.1@sha256:0500" } },
    );
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(run.calls).toContain("docker image rm svclab-demo:abc123 svclab-demo:older");
    const text = err.join("\n");
    expect(text).toContain("✓ image(s) the lab built have been removed: svclab-demo:abc123, svclab-demo:older");
    expect(text).toContain(".pulumi-state/: the stack's history (the next `lab` starts from it); `rm -rf .pulumi-state` forgets the lab");
    expect(text).not.toContain(".pulumi-cli/");
    expect(text).toContain("~/.pulumi/plugins");
    expect(text).toContain(
      "downloaded images, reused by the next `lab`: kindest/node:v1.33.1@sha256:0500, registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1, envoyproxy/envoy (pulled by cloud-provider-kind for LoadBalancers)",
    );
  });

  it("makes the context that was current before the lab current again", async () => {
    const kubeconfig = path.join(tempDir, "config");
    // kind clears current-context when it deletes the cluster whose context was current.
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\ncurrent-context: ""\ncontexts:\n- name: mine\n');
    const markers = clusterMarkers(path.join(tempDir, "state"));
    markers.write({ clusterName: "svclab", stack: "dev", writtenAt: "2026-01-01T00:00:00.000Z", previousContext: "mine" });
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 12, clusterNames: ["svclab"] });
    const { deps, run, err } = setup(backend, { ...noClusters, "kubectl config use-context mine": {} }, { kubeconfigFiles: [kubeconfig] });
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(run.calls).toContain("kubectl config use-context mine");
    expect(err.join("\n")).toContain('kubectl context "mine" is current again, as before the lab');
    expect(markers.read("svclab")).toBeUndefined();
  });

  it("leaves the current context alone when the user switched to another one meanwhile", async () => {
    const kubeconfig = path.join(tempDir, "config");
    fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\n");
    clusterMarkers(path.join(tempDir, "state")).write({ clusterName: "svclab", stack: "dev", writtenAt: "2026-01-01T00:00:00.000Z", previousContext: "mine" });
    const { deps, run } = setup(new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 3, clusterNames: ["svclab"] }), noClusters, { kubeconfigFiles: [kubeconfig] });
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(run.calls.filter((call) => call.startsWith("kubectl"))).toEqual([]);
  });

  it("removes a kind-<name> context that outlived the lab's cluster, with kubectl", async () => {
    const kubeconfig = path.join(tempDir, "config");
    fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncontexts:\n- name: kind-svclab\n  context: {cluster: kind-svclab, user: kind-svclab}\n");
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 3, clusterNames: ["svclab"] });
    const { deps, run, err } = setup(
      backend,
      {
        ...noClusters,
        [`kubectl config delete-context kind-svclab --kubeconfig ${kubeconfig}`]: {},
        [`kubectl config delete-cluster kind-svclab --kubeconfig ${kubeconfig}`]: {},
        [`kubectl config delete-user kind-svclab --kubeconfig ${kubeconfig}`]: {},
      },
      { kubeconfigFiles: [kubeconfig] },
    );
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(run.calls).toContain(`kubectl config delete-context kind-svclab --kubeconfig ${kubeconfig}`);
    expect(err.join("\n")).toContain(`kubeconfig context "kind-svclab" outlived its cluster and has been removed from ${kubeconfig} with kubectl`);
  });

  it("exits 1 and prints the commands when the context cannot be removed without kubectl", async () => {
    const kubeconfig = path.join(tempDir, "config");
    fs.writeFileSync(kubeconfig, "contexts:\n- name: kind-svclab\n");
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 3, clusterNames: ["svclab"] });
    const { deps, err } = setup(backend, noClusters, { kubeconfigFiles: [kubeconfig] });
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(EXIT_LEFTOVERS);
    expect(err.join("\n")).toContain(`run: kubectl config delete-context kind-svclab --kubeconfig ${kubeconfig}`);
  });

  it("reports a failed destroy in one line with exit code 2", async () => {
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 3, clusterNames: ["svclab"] });
    backend.destroyError = new Error("code: 255\n stderr: error: Cannot connect to the Docker daemon");
    const { deps } = setup(backend);
    const error = await runDown({ stackName: "dev" }, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).exitCode).toBe(EXIT_CANNOT_RUN);
    expect((error as LabError).message).toBe("pulumi destroy failed: error: Cannot connect to the Docker daemon; fix the cause and run `npm run lab:down` again");
  });

  it("succeeds after a lab that stopped at preflight because kind is missing", async () => {
    const { deps, err } = setup(new FakeBackend(undefined), {});
    await expect(runDown({ stackName: "dev" }, deps)).resolves.toBe(0);
    expect(err.join("\n")).toContain("no kind cluster: kind is not installed and the stack records none");
  });

  it("does not claim a clean machine when kind cannot list clusters", async () => {
    const { deps } = setup(new FakeBackend(undefined), { "kind get clusters": { outcome: "failed", code: 1, stderr: "ERROR: failed to list clusters: Cannot connect to the Docker daemon\n" } });
    const error = await runDown({ stackName: "dev" }, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).message).toBe("could not check everything the lab may have left (see above)");
  });
});
