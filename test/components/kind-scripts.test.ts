/**
 * The kind scripts run for real under bash and sh, against fake `kind` and
 * `docker` executables placed first on PATH. The fakes keep the cluster list
 * in a file and record every call, so the scripts' decisions are observable.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CLUSTER_ENV,
  IMAGE_ENV,
  createClusterScript,
  deleteClusterScript,
  loadImageScript,
  parseClusterReport,
  refreshClusterScript,
} from "../../components/kind-scripts";

const FAKE_KIND = `#!/bin/sh
echo "kind $*" >> "$FAKE_DIR/calls"
touch "$FAKE_DIR/clusters"
case "$1 $2" in
  "get clusters")
    if [ -s "$FAKE_DIR/clusters" ]; then cat "$FAKE_DIR/clusters"; else echo "No kind clusters found." >&2; fi ;;
  "create cluster")
    cat > "$FAKE_DIR/config-$4.yaml"
    echo "Creating cluster \\"$4\\" ..."
    echo "$4" >> "$FAKE_DIR/clusters" ;;
  "delete cluster")
    echo "Deleting cluster \\"$4\\" ..." >&2
    grep -vxF "$4" "$FAKE_DIR/clusters" > "$FAKE_DIR/clusters.new" || true
    mv "$FAKE_DIR/clusters.new" "$FAKE_DIR/clusters" ;;
  "get kubeconfig")
    printf 'apiVersion: v1\\nclusters:\\n- cluster:\\n    server: https://127.0.0.1:41234\\n  name: kind-%s\\ncurrent-context: "kind-%s"\\n# a\\\\b\\n' "$4" "$4" ;;
  "get nodes")
    printf '%s-worker2\\n%s-control-plane\\n%s-worker\\n' "$4" "$4" "$4"
    if [ -n "\${FAKE_VANISHED_NODE:-}" ]; then echo "$FAKE_VANISHED_NODE"; fi ;;
  "load docker-image")
    echo "Image loaded" >&2 ;;
  *) echo "fake kind: unexpected $*" >&2; exit 64 ;;
esac
`;

const FAKE_DOCKER = `#!/bin/sh
echo "docker $*" >> "$FAKE_DIR/calls"
node="$4"
case "$node" in
  *-control-plane) echo "control-plane 172.18.0.2" ;;
  *-worker) echo "worker 172.18.0.3" ;;
  *-worker2) echo "worker 172.18.0.4" ;;
  *) echo "Error: No such object: $node" >&2; exit 1 ;;
esac
`;

const KIND_CONFIG = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n";

let fakeDir: string;

function run(shell: string, script: string, env: Record<string, string>, input = "") {
  const result = spawnSync(shell, ["-c", script], {
    input,
    cwd: fakeDir,
    encoding: "utf8",
    env: { ...process.env, PATH: `${fakeDir}:${process.env.PATH}`, FAKE_DIR: fakeDir, ...env },
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function calls(): string[] {
  return readFileSync(join(fakeDir, "calls"), "utf8").trim().split("\n");
}

beforeEach(() => {
  fakeDir = mkdtempSync(join(tmpdir(), "svclab-fake-kind-"));
  writeFileSync(join(fakeDir, "kind"), FAKE_KIND);
  writeFileSync(join(fakeDir, "docker"), FAKE_DOCKER);
  writeFileSync(join(fakeDir, "calls"), "");
  chmodSync(join(fakeDir, "kind"), 0o755);
  chmodSync(join(fakeDir, "docker"), 0o755);
});

afterEach(() => rmSync(fakeDir, { recursive: true, force: true }));

describe.each(["bash", "sh"])("under %s", (shell) => {
  test("create refuses a cluster of the same name that this stack did not create", () => {
    writeFileSync(join(fakeDir, "clusters"), "lab\n");
    const result = run(shell, createClusterScript(), { [CLUSTER_ENV]: "lab" }, KIND_CONFIG);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      "a kind cluster named lab already exists and was not created by this stack; " +
        "delete it with `kind delete cluster --name lab` or choose another clusterName",
    );
    expect(result.stdout).toBe("");
    expect(calls()).toEqual(["kind get clusters"]);
  });

  test("create passes the config on stdin, waits for the nodes and prints one JSON report", () => {
    writeFileSync(join(fakeDir, "clusters"), "someone-elses\n");
    const result = run(shell, createClusterScript(), { [CLUSTER_ENV]: "lab" }, KIND_CONFIG);
    expect(result.stderr).toContain('Creating cluster "lab"');
    expect(result.status).toBe(0);
    const report = parseClusterReport(result.stdout);
    expect(report.kubeconfig).toBe(
      'apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:41234\n  name: kind-lab\ncurrent-context: "kind-lab"\n# a\\b\n',
    );
    expect(report.nodes).toEqual([
      { name: "lab-control-plane", role: "control-plane", internalIP: "172.18.0.2" },
      { name: "lab-worker", role: "worker", internalIP: "172.18.0.3" },
      { name: "lab-worker2", role: "worker", internalIP: "172.18.0.4" },
    ]);
    expect(readFileSync(join(fakeDir, "config-lab.yaml"), "utf8")).toBe(KIND_CONFIG);
    expect(calls()).toContain("kind create cluster --name lab --config - --wait 5m");
    expect(calls()).toContain("kind get kubeconfig --name lab");
  });

  test("delete removes the cluster and succeeds again when it is already gone", () => {
    writeFileSync(join(fakeDir, "clusters"), "lab\nother\n");
    expect(run(shell, deleteClusterScript(), { [CLUSTER_ENV]: "lab" }).status).toBe(0);
    expect(run(shell, deleteClusterScript(), { [CLUSTER_ENV]: "lab" }).status).toBe(0);
    expect(readFileSync(join(fakeDir, "clusters"), "utf8")).toBe("other\n");
    expect(calls().filter((c) => c.startsWith("kind delete"))).toEqual(["kind delete cluster --name lab"]);
  });

  test("refresh re-reads an owned cluster without creating anything", () => {
    writeFileSync(join(fakeDir, "clusters"), "lab\n");
    const result = run(shell, refreshClusterScript(), { [CLUSTER_ENV]: "lab" });
    expect(result.status).toBe(0);
    expect(parseClusterReport(result.stdout).nodes).toHaveLength(3);
    expect(calls().some((c) => c.startsWith("kind create"))).toBe(false);
  });

  test("refresh fails with advice when the cluster has disappeared", () => {
    const result = run(shell, refreshClusterScript(), { [CLUSTER_ENV]: "lab" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("the kind cluster lab recorded in this stack no longer exists");
  });

  test.each([
    ["create", () => createClusterScript(), ""],
    ["refresh", () => refreshClusterScript(), "lab\n"],
  ])("%s prints no kubeconfig when a docker inspect fails after the cluster exists", (_name, script, clusters) => {
    // pulumi-command puts a failed script's whole stdout into the error: it must not hold the secret.
    writeFileSync(join(fakeDir, "clusters"), clusters);
    const result = run(shell, script(), { [CLUSTER_ENV]: "lab", FAKE_VANISHED_NODE: "lab-vanished" }, KIND_CONFIG);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("No such object: lab-vanished");
    expect(result.stdout).toBe("");
    expect(result.stdout + result.stderr).not.toContain("apiVersion");
  });

  test("image load names the image and the cluster", () => {
    const result = run(shell, loadImageScript(), { [CLUSTER_ENV]: "lab", [IMAGE_ENV]: "svclab-demo:abc123" });
    expect(result.status).toBe(0);
    expect(calls()).toEqual(["kind load docker-image svclab-demo:abc123 --name lab"]);
  });
});

test("create names the missing tool when kind is not installed", () => {
  // A PATH holding only the plain tools the script needs, and docker, but no kind.
  const tools = mkdtempSync(join(tmpdir(), "svclab-tools-"));
  try {
    for (const tool of ["sh", "grep", "sort", "awk", "sed"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, join(tools, tool));
    }
    symlinkSync(join(fakeDir, "docker"), join(tools, "docker"));
    const result = spawnSync(join(tools, "sh"), ["-c", createClusterScript()], {
      encoding: "utf8",
      env: { PATH: tools, FAKE_DIR: fakeDir, [CLUSTER_ENV]: "lab" },
      timeout: 10_000,
    });
    expect(result.status).toBe(127);
    expect(result.stderr.trim()).toBe("kind is not on PATH; svclab needs kind (https://kind.sigs.k8s.io) and Docker to create the cluster");
  } finally {
    rmSync(tools, { recursive: true, force: true });
  }
});

test("a cluster name with shell syntax stays a plain argument", () => {
  const result = run("sh", deleteClusterScript(), { [CLUSTER_ENV]: "$(touch pwned)" });
  expect(result.status).toBe(0);
  expect(calls()).toEqual(["kind get clusters"]);
  expect(existsSync(join(fakeDir, "pwned"))).toBe(false);
});

test("a report that is not JSON is an error that shows what was printed", () => {
  expect(() => parseClusterReport("Creating cluster")).toThrow(
    'the kind create command printed no cluster report; stdout was "Creating cluster"',
  );
});

test("a report with an empty kubeconfig is refused rather than falling back to the current kubectl context", () => {
  expect(() => parseClusterReport('{"kubeconfig":"","nodes":[]}')).toThrow(
    "the kind cluster report has an empty kubeconfig (did `kind get kubeconfig` fail?); refusing to fall back to the current kubectl context",
  );
});

test("the ready wait must be a duration", () => {
  expect(() => createClusterScript("5 minutes; rm -rf /")).toThrow('readyWait must be a duration such as 5m; got "5 minutes; rm -rf /"');
});
