/**
 * The real-cluster suite: the lab on kind, end to end, as a user runs it.
 *
 * lab up → verify (all pass) → delete a backend pod → verify (endpoints follow
 * the new pod, all pass) → readiness off on every backend pod → the verifier
 * reports the backend ClusterIP as refused → lab down → nothing left.
 *
 * Runs only with SVCLAB_E2E=1 and a reachable Docker daemon, kind and the
 * Pulumi CLI; anywhere else the suite is skipped (reported as skipped, never
 * as passed) with one line naming what is missing. Uses the `ci` stack (its
 * own cluster name, no host port mappings) unless SVCLAB_E2E_STACK names
 * another, so it never meets a developer's `dev` lab.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { renderTable, verify, type VerifyReport } from "../../verifier";
import { runDown } from "../../runner/down";
import { findProjectDir } from "../../runner/cli";
import { LabIo, runLab } from "../../runner/lab";
import { readLabSettings } from "../../runner/lab-settings";
import { clusterMarkers } from "../../runner/cluster-marker";
import { CLI_DIR_NAME, STATE_DIR_NAME, createPulumiBackend } from "../../runner/pulumi";

const projectDir = findProjectDir(__dirname);
const stackName = process.env.SVCLAB_E2E_STACK ?? "ci";
const BACKEND_SELECTOR = "app.kubernetes.io/part-of=svclab,app.kubernetes.io/component=backend";
const MINUTE = 60_000;

/** What keeps the suite from running here; empty when it can run. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.env.SVCLAB_E2E !== "1") missing.push("SVCLAB_E2E is not 1");
  const docker = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 10_000, encoding: "utf8" });
  if (docker.error !== undefined && (docker.error as NodeJS.ErrnoException).code === "ENOENT") missing.push("docker is not installed");
  else if (docker.status !== 0) missing.push("docker daemon not reachable");
  if (spawnSync("kind", ["version"], { timeout: 10_000 }).status !== 0) missing.push("kind is not on PATH");
  const installedPulumi = path.join(projectDir, CLI_DIR_NAME, "bin", "pulumi");
  if (spawnSync("pulumi", ["version"], { timeout: 30_000 }).status !== 0 && !fs.existsSync(installedPulumi)) missing.push("the Pulumi CLI is not on PATH");
  return missing;
}

const missing = missingPrerequisites();
if (missing.length > 0) {
  // Straight to stderr: jest drops console output of a file whose tests are all skipped.
  process.stderr.write(`svclab e2e skipped (not run, not passed): ${missing.join("; ")}\n`);
}
const describeE2e = missing.length === 0 ? describe : describe.skip;

const io: LabIo = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };

describeE2e(missing.length === 0 ? `the lab on a real kind cluster (stack ${stackName})` : `e2e skipped: ${missing.join("; ")}`, () => {
  const backend = createPulumiBackend({ projectDir, stackName });
  const settings = readLabSettings(projectDir, stackName);
  const markers = clusterMarkers(path.join(projectDir, STATE_DIR_NAME));
  let kubeconfigDir = "";
  let kubeconfigFile = "";
  let namespace = "";
  let kc: k8s.KubeConfig;
  let labStarted = false;
  let downDone = false;

  const verifyNow = async (deadlineMs: number): Promise<VerifyReport> => {
    const report = await verify({ kubeconfig: kubeconfigFile, namespace, deadlineMs });
    process.stderr.write(renderTable(report));
    return report;
  };
  const backendPods = async (): Promise<k8s.V1Pod[]> =>
    (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector: BACKEND_SELECTOR })).items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
  const backendEndpointPods = async (): Promise<string[]> => {
    const slices = await kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=backend" });
    return slices.items.flatMap((slice) => slice.endpoints.filter((endpoint) => endpoint.conditions?.ready === true).map((endpoint) => endpoint.targetRef?.name ?? ""));
  };

  afterAll(async () => {
    // Whatever failed, leave no cluster behind.
    if (labStarted && !downDone) {
      await runDown({ stackName }, { backend, settings, io, markers }).catch((error: unknown) => process.stderr.write(`cleanup down failed: ${String(error)}\n`));
    }
    if (kubeconfigDir !== "") fs.rmSync(kubeconfigDir, { recursive: true, force: true });
  }, 15 * MINUTE);

  it("brings the lab up and every probe passes", async () => {
    labStarted = true;
    let firstReport: VerifyReport | undefined;
    const exitCode = await runLab(
      { stackName },
      {
        backend,
        settings,
        io,
        markers,
        verify: async (file, ns) => {
          firstReport = await verify({ kubeconfig: file, namespace: ns, deadlineMs: 5 * MINUTE });
          return { exitCode: firstReport.exitCode, rendered: renderTable(firstReport) };
        },
      },
    );
    expect(firstReport?.summary).toMatchObject({ fail: 0, error: 0 });
    expect(exitCode).toBe(0);

    const outputs = await backend.outputs();
    namespace = String(outputs?.namespace);
    kubeconfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-e2e-"));
    kubeconfigFile = path.join(kubeconfigDir, "kubeconfig");
    fs.writeFileSync(kubeconfigFile, String(outputs?.kubeconfig), { mode: 0o600 });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigFile);
  }, 30 * MINUTE);

  it("keeps the Service answering after a backend pod is deleted, with endpoints on the new pod", async () => {
    const [victim] = await backendPods();
    const victimName = victim?.metadata?.name ?? "";
    expect(victimName).not.toBe("");
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedPod({ name: victimName, namespace });

    const report = await verifyNow(3 * MINUTE);
    expect(report.summary).toMatchObject({ fail: 0, error: 0 });
    const endpointPods = await backendEndpointPods();
    const livePods = (await backendPods()).map((pod) => pod.metadata?.name ?? "");
    expect(endpointPods).not.toContain(victimName);
    expect(endpointPods.sort()).toEqual(livePods.sort());
  }, 10 * MINUTE);

  it("reports the backend ClusterIP as refused once no backend pod is ready", async () => {
    for (const pod of await backendPods()) {
      const status = await postThroughPodProxy(kc, namespace, pod.metadata?.name ?? "", "readyz", { ready: false });
      expect(status).toBe(200);
    }
    const report = await verifyNow(3 * MINUTE);
    const refused = report.probes.filter((probe) => probe.service === "backend" && probe.rule.id === "no-endpoints-refuse");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((probe) => probe.status)).toEqual(refused.map(() => "pass"));
  }, 10 * MINUTE);

  it("takes the lab down and leaves no cluster and no container", async () => {
    const before = await backend.snapshot();
    await expect(runDown({ stackName }, { backend, settings, io, markers })).resolves.toBe(0);
    downDone = true;
    const clusters = spawnSync("kind", ["get", "clusters"], { encoding: "utf8", timeout: 30_000 }).stdout.split("\n");
    expect(clusters).not.toContain(settings.clusterName);
    for (const container of before?.containerNames ?? []) {
      const listed = spawnSync("docker", ["ps", "--all", "--quiet", "--filter", `name=^/${container}$`], { encoding: "utf8", timeout: 30_000 });
      expect(listed.stdout.trim()).toBe("");
    }
  }, 15 * MINUTE);
});

/** POSTs JSON to a pod's port 3000 through the API server's pods proxy; resolves to the HTTP status. */
async function postThroughPodProxy(kc: k8s.KubeConfig, namespace: string, pod: string, route: string, body: unknown): Promise<number> {
  const server = kc.getCurrentCluster()?.server ?? "";
  const url = new URL(`${server.replace(/\/$/, "")}/api/v1/namespaces/${namespace}/pods/${pod}:3000/proxy/${route}`);
  const payload = JSON.stringify(body);
  const options: https.RequestOptions = { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const request = https.request(url, options, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.setTimeout(15_000, () => request.destroy(new Error(`no answer from ${pod} within 15 s`)));
    request.on("error", reject);
    request.end(payload);
  });
}
