import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { preflight, PreflightInput, PreflightResult } from "../../runner/preflight";
import { createFakeCli, FakeCli, FakeProgram } from "./fake-cli";

const healthyDocker: FakeProgram = { "info --format {{.ServerVersion}}": { stdout: "27.3.1\n" } };
const kindWith = (clusters: string): FakeProgram => ({
  version: { stdout: "kind v0.30.0 go1.24.6 linux/amd64\n" },
  "get clusters": clusters === "" ? { stderr: "No kind clusters found.\n" } : { stdout: clusters },
});

const fakes: FakeCli[] = [];
function fake(programs: Record<string, FakeProgram>): FakeCli {
  const cli = createFakeCli(programs);
  fakes.push(cli);
  return cli;
}
afterEach(() => fakes.splice(0).forEach((cli) => cli.cleanup()));

function input(env: NodeJS.ProcessEnv, overrides: Partial<PreflightInput> = {}): PreflightInput {
  return { clusterName: "svclab", hostPorts: [], clusterOwnedByLab: async () => false, env, ...overrides };
}

function check(result: PreflightResult, id: string) {
  const found = result.checks.find((entry) => entry.id === id);
  if (found === undefined) {
    throw new Error(`no ${id} check in ${JSON.stringify(result.checks)}`);
  }
  return found;
}

/** Holds a loopback port for the duration of a test. */
async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("preflight", () => {
  it("says docker is not installed and how to install kind when neither is on PATH", async () => {
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-empty-path-"));
    try {
      const result = await preflight(input({ ...process.env, PATH: emptyDir }));
      expect(result.ok).toBe(false);
      expect(check(result, "docker")).toEqual({
        id: "docker",
        status: "fail",
        message: "docker is not installed (not on PATH): install Docker Engine on Linux or Docker Desktop on macOS/Windows (WSL2), https://docs.docker.com/get-docker/",
      });
      expect(check(result, "kind")).toEqual({
        id: "kind",
        status: "fail",
        message:
          "kind is not on PATH: install kind ≥ v0.20.0: `go install sigs.k8s.io/kind@v0.29.0` or the release binary, https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
      });
      expect(check(result, "cluster").status).toBe("skip");
    } finally {
      fs.rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  describe("a docker client without a daemon", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-socket-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const noDaemon = (socket: string): FakeProgram => ({
      "info --format {{.ServerVersion}}": { stderr: `Cannot connect to the Docker daemon at unix://${socket}. Is the docker daemon running?\n`, code: 1 },
    });

    it("says no engine is installed when there is no socket, no dockerd and no Docker Desktop", async () => {
      const socket = path.join(dir, "docker.sock");
      const cli = fake({ docker: noDaemon(socket), kind: kindWith("") });
      const result = await preflight(input(cli.env, { dockerDesktopPaths: [path.join(dir, "Docker.app")] }));
      expect(check(result, "docker")).toEqual({
        id: "docker",
        status: "fail",
        message: `only the docker client is installed, no Docker engine (Cannot connect to the Docker daemon at unix://${socket}. Is the docker daemon running?; no dockerd on PATH, no Docker Desktop): install Docker Engine on Linux or Docker Desktop on macOS/Windows (WSL2), https://docs.docker.com/get-docker/`,
      });
      expect(check(result, "cluster").status).toBe("skip");
      expect(cli.calls()).not.toContain("kind get clusters");
    });

    it("says the engine is not running when dockerd is installed", async () => {
      const socket = path.join(dir, "docker.sock");
      const cli = fake({ docker: noDaemon(socket), dockerd: { "--version": { stdout: "Docker version 27.3.1, build 41ca978\n" } }, kind: kindWith("") });
      const result = await preflight(input(cli.env, { dockerDesktopPaths: [] }));
      expect(check(result, "docker")).toEqual({
        id: "docker",
        status: "fail",
        message: `the Docker engine is installed but not running (Cannot connect to the Docker daemon at unix://${socket}. Is the docker daemon running?): start it (\`sudo systemctl start docker\` on Linux, or open Docker Desktop)`,
      });
    });

    it("says the engine is not running when its socket exists or Docker Desktop is installed", async () => {
      const socket = path.join(dir, "docker.sock");
      fs.writeFileSync(socket, "");
      const withSocket = fake({ docker: noDaemon(socket), kind: kindWith("") });
      expect(check(await preflight(input(withSocket.env, { dockerDesktopPaths: [] })), "docker").message).toMatch(/^the Docker engine is installed but not running/);
      const desktop = path.join(dir, "Docker.app");
      fs.mkdirSync(desktop);
      const withDesktop = fake({ docker: noDaemon(path.join(dir, "gone.sock")), kind: kindWith("") });
      expect(check(await preflight(input(withDesktop.env, { dockerDesktopPaths: [desktop] })), "docker").message).toMatch(/^the Docker engine is installed but not running/);
    });
  });

  it("suggests the docker group when the socket refuses the user", async () => {
    const cli = fake({
      docker: { "info --format {{.ServerVersion}}": { stderr: "permission denied while trying to connect to the Docker daemon socket\n", code: 1 } },
      kind: kindWith(""),
    });
    const result = await preflight(input(cli.env));
    expect(check(result, "docker").message).toContain("add your user to the docker group");
  });

  it("reports a hung docker daemon once its timeout passes", async () => {
    const cli = fake({ docker: { "info --format {{.ServerVersion}}": { stdout: "late", delayMs: 20_000 } }, kind: kindWith("") });
    const result = await preflight(input(cli.env, { dockerInfoTimeoutMs: 300 }));
    expect(check(result, "docker")).toEqual({
      id: "docker",
      status: "fail",
      message: "the Docker daemon did not answer `docker info` within 0.3 s: it is starting or hung; wait for it or restart Docker",
    });
  });

  it("prints kind's version and passes when everything is ready", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindWith("") });
    const free = await holdPort();
    await free.close();
    const result = await preflight(input(cli.env, { hostPorts: [{ listenAddress: "127.0.0.1", hostPort: free.port }] }));
    expect(result.ok).toBe(true);
    expect(check(result, "docker").message).toBe("Docker daemon reachable (server 27.3.1)");
    expect(check(result, "kind")).toEqual({ id: "kind", status: "pass", message: "kind v0.30.0 go1.24.6 linux/amd64" });
    expect(check(result, "cluster").message).toBe('no kind cluster named "svclab" yet: the lab will create it');
    expect(check(result, "ports").status).toBe("pass");
    expect(cli.calls()).toEqual(expect.arrayContaining(["docker info --format {{.ServerVersion}}", "kind version", "kind get clusters"]));
  });

  it("rejects a kind release older than the minimum with the install hint", async () => {
    const cli = fake({ docker: healthyDocker, kind: { version: { stdout: "kind v0.17.0 go1.19.2 linux/amd64\n" }, "get clusters": { stdout: "" } } });
    const result = await preflight(input(cli.env));
    expect(check(result, "kind").status).toBe("fail");
    expect(check(result, "kind").message).toMatch(/^kind v0\.17\.0 go1\.19\.2 linux\/amd64 is too old: install kind ≥ v0\.20\.0/);
  });

  const DEFAULT_NODE_IMAGE = "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f";
  const kindVersion = (line: string): FakeProgram => ({ version: { stdout: `${line}\n` }, "get clusters": { stdout: "" } });

  it("refuses a kind before v0.27 for the containerd-2 default node image, naming both versions and the fix", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindVersion("kind v0.26.0 go1.23.4 linux/amd64") });
    const result = await preflight(input(cli.env, { nodeImage: DEFAULT_NODE_IMAGE }));
    expect(result.ok).toBe(false);
    expect(check(result, "kind")).toEqual({
      id: "kind",
      status: "fail",
      message:
        'kind v0.26.0 cannot run the node image kindest/node:v1.33.1 (built for kind v0.29.0): it ships containerd 2.x, which kind before v0.27.0 cannot load images into ("failed to detect containerd snapshotter"): ' +
        "install kind v0.29.0 (`go install sigs.k8s.io/kind@v0.29.0` or the release binary, https://kind.sigs.k8s.io/docs/user/quick-start/#installation), " +
        "or set nodeImage in stacks/Pulumi.dev.yaml to an image from the release notes of kind v0.26.0",
    });
  });

  it("counts a v0.27.0 pre-release as older than v0.27.0", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindVersion("kind v0.27.0-alpha+8e1a4b2 go1.23.4 linux/amd64") });
    const result = await preflight(input(cli.env, { nodeImage: DEFAULT_NODE_IMAGE }));
    expect(check(result, "kind").status).toBe("fail");
    expect(check(result, "kind").message).toMatch(/^kind v0\.27\.0-alpha cannot run the node image kindest\/node:v1\.33\.1/);
  });

  it("judges an image it has no digest for by its Kubernetes version", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindVersion("kind v0.25.0 go1.22.9 linux/amd64") });
    const result = await preflight(input(cli.env, { nodeImage: "kindest/node:v1.34.0", configFile: "stacks/Pulumi.ci.yaml" }));
    expect(check(result, "kind").message).toMatch(/^kind v0\.25\.0 cannot run the node image kindest\/node:v1\.34\.0: it ships containerd 2\.x.*install kind v0\.29\.0 .*set nodeImage in stacks\/Pulumi\.ci\.yaml/);
  });

  it("passes an old kind with an image of its own release, and says so", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindVersion("kind v0.25.0 go1.22.9 linux/amd64") });
    const result = await preflight(input(cli.env, { nodeImage: "kindest/node:v1.31.2@sha256:18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e" }));
    expect(check(result, "kind")).toEqual({ id: "kind", status: "pass", message: "kind v0.25.0 go1.22.9 linux/amd64; node image kindest/node:v1.31.2 is built for this release" });
  });

  it("passes kind v0.29.0 with the default node image and a newer kind on a best-effort note", async () => {
    const exact = fake({ docker: healthyDocker, kind: kindVersion("kind v0.29.0 go1.24.2 linux/amd64") });
    expect(check(await preflight(input(exact.env, { nodeImage: DEFAULT_NODE_IMAGE })), "kind")).toEqual({
      id: "kind",
      status: "pass",
      message: "kind v0.29.0 go1.24.2 linux/amd64; node image kindest/node:v1.33.1 is built for this release",
    });
    const newer = fake({ docker: healthyDocker, kind: kindVersion("kind v0.30.0 go1.24.6 linux/amd64") });
    expect(check(await preflight(input(newer.env, { nodeImage: DEFAULT_NODE_IMAGE })), "kind").message).toBe(
      "kind v0.30.0 go1.24.6 linux/amd64; node image kindest/node:v1.33.1 (built for kind v0.29.0): kind supports other releases' images on a best-effort basis",
    );
  });

  it("names a host port that is already taken on loopback", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindWith("") });
    const taken = await holdPort();
    try {
      const result = await preflight(input(cli.env, { hostPorts: [{ listenAddress: "127.0.0.1", hostPort: taken.port }] }));
      expect(result.ok).toBe(false);
      expect(check(result, "ports")).toEqual({
        id: "ports",
        status: "fail",
        message: `127.0.0.1:${taken.port} is in use: stop what listens there (\`ss -ltnp\` on Linux, \`lsof -nP -iTCP -sTCP:LISTEN\` on macOS) or change the port mappings in stacks/Pulumi.dev.yaml`,
      });
    } finally {
      await taken.close();
    }
  });

  it("refuses a kind cluster of the lab's name that this lab did not create", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindWith("other\nsvclab\n") });
    const result = await preflight(input(cli.env));
    expect(result.ok).toBe(false);
    expect(result.kindClusters).toEqual(["other", "svclab"]);
    expect(check(result, "cluster")).toEqual({
      id: "cluster",
      status: "fail",
      message:
        'a kind cluster named "svclab" exists that this lab did not create: delete it (`kind delete cluster --name svclab`) if it is yours to remove, or give the lab another cluster name in stacks/Pulumi.dev.yaml',
    });
  });

  it("keeps the lab's own running cluster and does not count its ports as taken", async () => {
    const cli = fake({ docker: healthyDocker, kind: kindWith("svclab\n") });
    const heldByCluster = await holdPort();
    try {
      const result = await preflight(input(cli.env, { clusterOwnedByLab: async () => true, hostPorts: [{ listenAddress: "127.0.0.1", hostPort: heldByCluster.port }] }));
      expect(result.ok).toBe(true);
      expect(check(result, "cluster").status).toBe("pass");
      expect(check(result, "ports")).toEqual({ id: "ports", status: "skip", message: 'host ports are held by this lab\'s own cluster "svclab"' });
    } finally {
      await heldByCluster.close();
    }
  });
});
