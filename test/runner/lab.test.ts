import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT_CANNOT_RUN, EXIT_INTERRUPTED, LabError } from "../../runner/errors";
import { LabDeps, LabOptions, runLab } from "../../runner/lab";
import type { LabSettings } from "../../runner/lab-settings";
import type { PreflightInput, PreflightResult } from "../../runner/preflight";
import { clusterMarkers } from "../../runner/cluster-marker";
import { EMPTY_SNAPSHOT } from "../../runner/stack-state";
import { FakeBackend, captureIo, fakeRunner } from "./fake-backend";

const settings: LabSettings = { clusterMode: "kind", clusterName: "svclab", hostPorts: [{ listenAddress: "127.0.0.1", hostPort: 30080 }], configFile: "stacks/Pulumi.dev.yaml" };
const passingPreflight: PreflightResult = {
  ok: true,
  kindClusters: [],
  checks: [
    { id: "docker", status: "pass", message: "Docker daemon reachable (server 27.3.1)" },
    { id: "kind", status: "pass", message: "kind v0.30.0 go1.24.6 linux/amd64" },
  ],
};
const options: LabOptions = { stackName: "dev" };

interface VerifyCall {
  file: string;
  namespace: string;
  content: string;
  mode: number;
}

let stateDir: string;
beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-lab-state-"));
});
afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

function setup(backend: FakeBackend, overrides: Partial<LabDeps> = {}, verifyExit = 0) {
  const captured = captureIo();
  const verifyCalls: VerifyCall[] = [];
  const preflightInputs: PreflightInput[] = [];
  const deps: LabDeps = {
    backend,
    settings,
    io: captured.io,
    preflight: async (input) => {
      preflightInputs.push(input);
      return passingPreflight;
    },
    verify: async (file, namespace) => {
      verifyCalls.push({ file, namespace, content: fs.readFileSync(file, "utf8"), mode: fs.statSync(file).mode & 0o777 });
      return { exitCode: verifyExit, rendered: "MATRIX" };
    },
    run: fakeRunner({}),
    markers: clusterMarkers(stateDir),
    kubeconfigFiles: [path.join(stateDir, "no-kubeconfig")],
    ...overrides,
  };
  return { deps, verifyCalls, preflightInputs, ...captured };
}

async function labError(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof LabError)) {
    throw new Error(`expected a LabError, got ${String(error)}`);
  }
  return error;
}

describe("lab", () => {
  it("creates nothing when preflight fails and says so", async () => {
    const backend = new FakeBackend();
    const failing: PreflightResult = { ok: false, kindClusters: [], checks: [{ id: "kind", status: "fail", message: "kind is not on PATH: install kind" }] };
    const { deps, err, verifyCalls } = setup(backend, { preflight: async () => failing });
    const error = await labError(runLab(options, deps));
    expect(error.exitCode).toBe(EXIT_CANNOT_RUN);
    expect(error.message).toBe("preflight failed: nothing was created; fix the items marked ✗ and run the lab again");
    expect(err.join("\n")).toContain("✗ kind  kind is not on PATH: install kind");
    expect(backend.calls).not.toContain("up");
    expect(verifyCalls).toHaveLength(0);
  });

  it("runs up, verifies with a private temporary kubeconfig, and removes it afterwards", async () => {
    const backend = new FakeBackend();
    const { deps, verifyCalls, out } = setup(backend);
    await expect(runLab(options, deps)).resolves.toBe(0);
    expect(backend.calls.indexOf("up")).toBeGreaterThan(-1);
    expect(verifyCalls).toHaveLength(1);
    expect(verifyCalls[0]).toMatchObject({ namespace: "svclab", content: "apiVersion: v1\nkind: Config\ncurrent-context: kind-svclab\n", mode: 0o600 });
    expect(fs.existsSync(verifyCalls[0].file)).toBe(false);
    expect(out[0]).toBe("MATRIX");
  });

  it("exits with the verifier's exit code", async () => {
    const { deps } = setup(new FakeBackend(), {}, 1);
    await expect(runLab(options, deps)).resolves.toBe(1);
  });

  it("prints every kind of URL from the stack outputs after the matrix", async () => {
    const { deps, out } = setup(new FakeBackend());
    await runLab(options, deps);
    const text = out.join("\n");
    expect(text.indexOf("MATRIX")).toBeLessThan(text.indexOf("Try it yourself:"));
    expect(text).toContain("http://172.18.0.2:30080  http://172.18.0.3:30080");
    expect(text).toContain("http://127.0.0.1:30080");
    expect(text).toContain("frontend-lb  http://172.18.0.9:80");
    expect(text).toContain("run `kubectl --context kind-svclab proxy` in another terminal first");
    expect(text).toContain("http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/");
  });

  it("repeats the stack's warnings after the URLs", async () => {
    const backend = new FakeBackend();
    backend.outputsValue = { ...backend.outputsValue, notes: ["WARNING: host port 30080 listens on 0.0.0.0, not loopback"] };
    const { deps, err } = setup(backend);
    await runLab(options, deps);
    expect(err[err.length - 1]).toBe("WARNING: host port 30080 listens on 0.0.0.0, not loopback");
  });

  it("keeps stdout for the report when it is machine-readable", async () => {
    const { deps, out, err } = setup(new FakeBackend());
    await runLab({ ...options, machineReadable: true }, deps);
    expect(out).toEqual(["MATRIX"]);
    expect(err.join("\n")).toContain("Try it yourself:");
  });

  it("writes the report to --out and keeps it off stdout", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-out-"));
    try {
      const file = path.join(dir, "report.xml");
      const { deps, out, err } = setup(new FakeBackend());
      await expect(runLab({ ...options, machineReadable: true, reportFile: file }, deps)).resolves.toBe(0);
      expect(fs.readFileSync(file, "utf8")).toBe("MATRIX\n");
      expect(out.join("\n")).not.toContain("MATRIX");
      expect(err.join("\n")).toContain(`Report written to ${file}.`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses --out into a missing folder before preflight, up or any probe", async () => {
    const backend = new FakeBackend();
    const preflight = jest.fn();
    const { deps, verifyCalls } = setup(backend, { preflight });
    const missing = path.join(os.tmpdir(), "svclab-no-such-folder-4711", "report.xml");
    const error = await labError(runLab({ ...options, reportFile: missing }, deps));
    expect(error.exitCode).toBe(EXIT_CANNOT_RUN);
    expect(error.message).toBe(
      `--out ${missing}: the folder ${path.dirname(missing)} does not exist: create it first (\`mkdir -p ${path.dirname(missing)}\`) or choose another path; nothing was run`,
    );
    expect(preflight).not.toHaveBeenCalled();
    expect(backend.calls).toEqual([]);
    expect(verifyCalls).toHaveLength(0);
  });

  it("reports a failed up in one line, does not verify, and leaves a state down can remove", async () => {
    const backend = new FakeBackend();
    backend.upError = new Error("code: 255\n stdout: \n stderr: error: kind create cluster failed: port is already allocated\n");
    const { deps, verifyCalls } = setup(backend);
    const error = await labError(runLab(options, deps));
    expect(error.exitCode).toBe(EXIT_CANNOT_RUN);
    expect(error.message).toBe(
      "pulumi up failed: error: kind create cluster failed: port is already allocated; fix the cause and run `npm run lab` again (it resumes), or remove what was created with `npm run lab:down`",
    );
    expect(verifyCalls).toHaveLength(0);
    expect(backend.stack?.resourceCount).toBe(5);
  });

  it("says a second run on a running lab is idempotent and lets preflight know the cluster is the lab's", async () => {
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 20, clusterNames: ["svclab"] });
    const { deps, err, preflightInputs } = setup(backend, { preflight: async (input) => (preflightInputs.push(input), { ...passingPreflight, kindClusters: ["svclab"] }) });
    await expect(runLab(options, deps)).resolves.toBe(0);
    expect(err.join("\n")).toContain("The lab is already up (20 resources): `pulumi up` is idempotent, so it changes only what differs from the program (normally nothing), then the lab verifies again.");
    await expect(preflightInputs[0].clusterOwnedByLab()).resolves.toBe(true);
  });

  it("refuses to run up over a recorded cluster that was deleted outside the lab, and says how to recover", async () => {
    const backend = new FakeBackend({ ...EMPTY_SNAPSHOT, resourceCount: 20, clusterNames: ["svclab"] });
    const { deps } = setup(backend);
    const error = await labError(runLab(options, deps));
    expect(error.message).toBe(
      'the lab\'s kind cluster "svclab" is recorded in the stack but no longer exists (deleted outside the lab): run `npm run lab:down` to clear the stack, then `npm run lab`',
    );
    expect(backend.calls).not.toContain("up");
  });

  it("turns an interrupted up into exit code 130 with how to continue", async () => {
    const backend = new FakeBackend();
    const controller = new AbortController();
    backend.duringUp = () => controller.abort();
    const { deps, verifyCalls } = setup(backend);
    const error = await labError(runLab({ ...options, signal: controller.signal }, deps));
    expect(error.exitCode).toBe(EXIT_INTERRUPTED);
    expect(error.message).toContain("`npm run lab` continues from there, `npm run lab:down` removes what was created");
    expect(verifyCalls).toHaveLength(0);
  });

  it("stops after up with --skip-verify and exits 0", async () => {
    const { deps, verifyCalls } = setup(new FakeBackend());
    await expect(runLab({ ...options, skipVerify: true }, deps)).resolves.toBe(0);
    expect(verifyCalls).toHaveLength(0);
  });

  it("removes a stale lock before up and refuses to touch a live one", async () => {
    const stale = new FakeBackend(EMPTY_SNAPSHOT);
    stale.lockList = [{ file: "/x.json", pid: 4242, username: "me", hostname: "here", timestamp: "2026-01-01T00:00:00Z", stale: true }];
    const first = setup(stale);
    await runLab(options, first.deps);
    expect(stale.calls.indexOf("cancel")).toBeLessThan(stale.calls.indexOf("up"));

    const live = new FakeBackend(EMPTY_SNAPSHOT);
    live.lockList = [{ file: "/y.json", pid: 77, username: "me", hostname: "here", timestamp: "2026-01-01T00:00:00Z", stale: false }];
    const second = setup(live);
    const error = await labError(runLab(options, second.deps));
    expect(error.message).toMatch(/^the stack is locked by another operation: pid 77 \(me@here\) since 2026-01-01T00:00:00Z; wait for it to end\./);
    expect(live.calls).not.toContain("up");
    expect(live.calls).not.toContain("cancel");
  });

  it("deletes a kind cluster whose creation was interrupted and clears pending operations before up", async () => {
    const backend = new FakeBackend({
      ...EMPTY_SNAPSHOT,
      resourceCount: 2,
      pendingOperations: [{ urn: "urn:pulumi:dev::svclab::command:local:Command::lab-kind", type: "command:local:Command", operation: "creating" }],
      pendingClusterNames: ["svclab"],
    });
    const run = fakeRunner({ "kind get clusters": { stdout: "svclab\n" }, "kind delete cluster --name svclab": {} });
    const { deps } = setup(backend, { run });
    await runLab(options, deps);
    expect(run.calls).toEqual(["kind get clusters", "kind delete cluster --name svclab"]);
    expect(backend.calls.indexOf("clearPendingOperations")).toBeLessThan(backend.calls.indexOf("up"));
  });

  it("skips the kind checks for an existing cluster", async () => {
    const preflight = jest.fn();
    const { deps, err } = setup(new FakeBackend(), { settings: { ...settings, clusterMode: "existing" }, preflight });
    await runLab(options, deps);
    expect(preflight).not.toHaveBeenCalled();
    expect(err.join("\n")).toContain('cluster mode "existing": Docker, kind and host port checks do not apply');
  });

  describe("ownership outside the Pulumi state", () => {
    const marker = { clusterName: "svclab", stack: "dev", writtenAt: "2026-01-01T00:00:00.000Z", previousContext: "mine" };

    it("deletes a half-made cluster that a cut-off kind create left and the state never recorded, then runs up", async () => {
      const backend = new FakeBackend(EMPTY_SNAPSHOT);
      clusterMarkers(stateDir).write(marker);
      const run = fakeRunner({ "kind delete cluster --name svclab": {} });
      const { deps, preflightInputs, err } = setup(backend, {
        run,
        preflight: async (input) => (preflightInputs.push(input), { ...passingPreflight, kindClusters: ["svclab"] }),
      });
      await expect(runLab(options, deps)).resolves.toBe(0);
      await expect(preflightInputs[0].clusterOwnedByLab()).resolves.toBe(true);
      expect(run.calls).toEqual(["kind delete cluster --name svclab"]);
      expect(err.join("\n")).toContain('deleting kind cluster "svclab": an interrupted run of this lab began creating it');
      expect(backend.calls).toContain("up");
      // The context the user had before the first, cut-off run is kept for `down`.
      expect(clusterMarkers(stateDir).read("svclab")?.previousContext).toBe("mine");
    });

    it("writes the marker, with the current kubectl context, before up may create the cluster", async () => {
      const kubeconfig = path.join(stateDir, "kubeconfig");
      fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: mine\n");
      const backend = new FakeBackend();
      let markedDuringUp: unknown;
      backend.duringUp = () => {
        markedDuringUp = clusterMarkers(stateDir).read("svclab");
      };
      const { deps } = setup(backend, { kubeconfigFiles: [kubeconfig] });
      await runLab(options, deps);
      expect(markedDuringUp).toMatchObject({ clusterName: "svclab", stack: "dev", previousContext: "mine" });
      expect(clusterMarkers(stateDir).read("svclab")).toBeDefined();
    });

    it("drops the marker when up fails before any cluster exists, and keeps it while a half-made one does", async () => {
      const failed = new FakeBackend();
      failed.upError = new Error("error: image build failed");
      const noCluster = setup(failed, { run: fakeRunner({ "kind get clusters": { stdout: "" } }) });
      await labError(runLab(options, noCluster.deps));
      expect(clusterMarkers(stateDir).read("svclab")).toBeUndefined();

      const interrupted = new FakeBackend();
      const controller = new AbortController();
      interrupted.duringUp = () => controller.abort();
      const halfMade = setup(interrupted, { run: fakeRunner({ "kind get clusters": { stdout: "svclab\n" } }) });
      await labError(runLab({ ...options, signal: controller.signal }, halfMade.deps));
      expect(clusterMarkers(stateDir).read("svclab")).toBeDefined();
    });

    it("says so when kind switched the current kubectl context during up", async () => {
      const kubeconfig = path.join(stateDir, "kubeconfig");
      fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: mine\n");
      const backend = new FakeBackend();
      backend.duringUp = () => fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: kind-svclab\n");
      const { deps, err } = setup(backend, { kubeconfigFiles: [kubeconfig] });
      await runLab(options, deps);
      expect(err).toContain(
        'Note: kind made "kind-svclab" your current kubectl context (it was "mine"); `npm run lab:down` switches back to "mine", or run `kubectl config use-context mine` yourself.',
      );
    });
  });
});
