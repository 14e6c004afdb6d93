import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UNKNOWN_VERSION, packageVersion } from "../../bin/package-version";
import { summarizeError } from "../../runner/errors";
import { filesWithContext, kubeconfigFiles } from "../../runner/kube-contexts";
import { withTempKubeconfig } from "../../runner/kubeconfig-file";
import { DEFAULT_PASSPHRASE, passphraseEnv } from "../../runner/pulumi";
import { formatLabUrls } from "../../runner/urls";

describe("passphraseEnv", () => {
  it("uses the lab's documented passphrase unless the user set one", () => {
    expect(DEFAULT_PASSPHRASE).toBe("svclab-lab");
    expect(passphraseEnv({})).toEqual({ PULUMI_CONFIG_PASSPHRASE: "svclab-lab" });
    expect(passphraseEnv({ PULUMI_CONFIG_PASSPHRASE: "mine" })).toEqual({ PULUMI_CONFIG_PASSPHRASE: "mine" });
    expect(passphraseEnv({ PULUMI_CONFIG_PASSPHRASE_FILE: "/secret" })).toEqual({ PULUMI_CONFIG_PASSPHRASE_FILE: "/secret" });
  });
});

describe("summarizeError", () => {
  it("keeps the Pulumi CLI's specific error line out of the Automation API's wrapping", () => {
    const wrapped = new Error("code: 255\n stdout: Updating (dev)\n    error: update failed\n    command:local:Command (lab-kind):\n      error: exit status 1: port 30080 is already allocated\n stderr: \n err?: ");
    expect(summarizeError(wrapped)).toBe("error: exit status 1: port 30080 is already allocated");
    expect(summarizeError(new Error("plain failure"))).toBe("plain failure");
  });
});

describe("withTempKubeconfig", () => {
  it("removes the file even when the work fails", async () => {
    let seen = "";
    await expect(
      withTempKubeconfig("secret", async (file) => {
        seen = file;
        throw new Error("verifier crashed");
      }),
    ).rejects.toThrow("verifier crashed");
    expect(fs.existsSync(seen)).toBe(false);
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });
});

describe("kubeconfig contexts", () => {
  it("follows KUBECONFIG like kubectl, else ~/.kube/config", () => {
    expect(kubeconfigFiles({ KUBECONFIG: ["/a", "/b"].join(path.delimiter) }, "/home/me")).toEqual(["/a", "/b"]);
    expect(kubeconfigFiles({}, "/home/me")).toEqual([path.join("/home/me", ".kube", "config")]);
  });

  it("finds which files hold a context and skips missing ones", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-ctx-"));
    try {
      const withIt = path.join(dir, "a");
      const without = path.join(dir, "b");
      fs.writeFileSync(withIt, "contexts:\n- name: kind-svclab\n- name: prod\n");
      fs.writeFileSync(without, "contexts:\n- name: prod\n");
      expect(filesWithContext([withIt, without, path.join(dir, "missing")], "kind-svclab")).toEqual([withIt]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("formatLabUrls", () => {
  it("says why a LoadBalancer has no address and prints nothing for absent groups", () => {
    const lines = formatLabUrls({
      clusterMode: "existing",
      services: { "frontend-lb": { type: "LoadBalancer", port: 80, loadBalancerAddress: null } },
      loadBalancer: "none: no load-balancer implementation configured",
      apiProxyUrls: { backend: "http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/" },
    });
    expect(lines).toEqual([
      "LoadBalancer:",
      "  frontend-lb  no address (none: no load-balancer implementation configured)",
      "API server proxy (run `kubectl proxy` in another terminal first):",
      "  backend  http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/",
    ]);
  });
});

describe("formatLabUrls per platform", () => {
  const kindOutputs = {
    clusterMode: "kind",
    clusterName: "svclab",
    services: { "frontend-lb": { type: "LoadBalancer", port: 80, loadBalancerAddress: "172.18.0.9" } },
    nodePortUrls: { "frontend-nodeport": ["http://172.18.0.2:30080"] },
    localhostUrls: { "frontend-nodeport": ["http://127.0.0.1:30080"] },
  };

  it("on Linux says node and LoadBalancer addresses answer from the host", () => {
    const lines = formatLabUrls(kindOutputs, "linux");
    expect(lines).toContain("NodePort on every node (node IPs on the kind Docker network answer from this Linux host):");
    expect(lines).toContain("LoadBalancer (cloud-provider-kind addresses on the kind Docker network answer from this Linux host):");
    expect(lines).toContain("  frontend-lb  http://172.18.0.9:80");
  });

  it.each([
    ["darwin", "macOS"],
    ["win32", "Windows"],
  ] as const)("on %s (Docker Desktop) says node and LoadBalancer addresses do not answer from the host, and offers only localhost to try", (platform, os) => {
    const lines = formatLabUrls(kindOutputs, platform);
    const notFromHere = `NOT reachable from this ${os} host: Docker Desktop keeps the kind network inside its VM`;
    expect(lines).toContain(`NodePort on every node (${notFromHere}; use the localhost URLs):`);
    expect(lines).toContain(`LoadBalancer (${notFromHere}; they answer from pods, which the verifier checks):`);
    expect(lines).toContain("localhost (kind port mappings on this machine, any OS):");
    expect(lines.filter((line) => line.startsWith("Try:"))).toEqual([
      "Try: curl -s http://127.0.0.1:30080/   (or open it in a browser: it shows which pod on which node answered)",
    ]);
    expect(formatLabUrls({ ...kindOutputs, localhostUrls: {} }, platform).filter((line) => line.startsWith("Try:"))).toEqual([]);
  });
});

describe("packageVersion", () => {
  it("finds svclab's package.json above the start, or says it is unknown", () => {
    const root = path.resolve(__dirname, "..", "..");
    const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(packageVersion([path.join(root, "dist", "bin")])).toBe(version);
    expect(packageVersion([os.tmpdir()])).toBe(UNKNOWN_VERSION);
  });
});

describe("README", () => {
  it("has an Uninstall section that says what lab:down keeps", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
    expect(readme).toMatch(/^# Uninstall$/m);
    const section = readme.slice(readme.search(/^# Uninstall$/m)).split(/^## /m)[0];
    for (const kept of [".pulumi-state", ".pulumi-cli", "pulumi plugin", "kindest/node", "cloud-provider-kind", "envoyproxy/envoy"]) {
      expect(section).toContain(kept);
    }
  });
});
