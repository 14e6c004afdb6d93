/**
 * `svclab explain` as a user runs it: the built entry point spawned, exit
 * codes and output asserted. The kind path reads rules through a fake
 * `docker` on PATH that answers `docker exec <node> iptables-save` with the
 * real capture.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createFakeCli } from "../../runner/fake-cli";
import { CAPTURE_DIR, NOT_READY_DIR, rulesFile } from "./capture";

const projectDir = path.resolve(__dirname, "..", "..", "..");
const entry = path.join(projectDir, "dist", "bin", "svclab.js");
/** No kubeconfig: the API is not tried against anything real. */
const NO_API = ["--kubeconfig", path.join(os.tmpdir(), "svclab-explain-no-such-kubeconfig")];

function svclab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [entry, "explain", ...args], { cwd: projectDir, env, encoding: "utf8", timeout: 60_000 });
}

function offline(service: string, node: string, ...more: string[]) {
  return svclab([service, "--node", node, "--iptables-save", rulesFile(node), "--objects", CAPTURE_DIR, ...more]);
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-explain-cli-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("svclab explain (offline, on the real capture)", () => {
  it("documents where the rules come from and the exit codes in --help", () => {
    const result = svclab(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("docker exec <node> iptables-save");
    expect(result.stdout).toContain("IPVS mode is not explained");
    expect(result.stdout).toContain("2  bad input");
  });

  it("explains a sticky Service with pod names, nodes and the affinity timeout", () => {
    const result = offline("frontend-sticky", "svclab-worker");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("svclab/frontend-sticky (type ClusterIP, sessionAffinity ClientIP) on node svclab-worker, kube-proxy iptables mode");
    expect(result.stdout).toContain("within the last 10800 s (3 h) goes back to the same endpoint");
    expect(result.stdout).toContain("destination rewritten (DNAT) to 198.18.66.11:3000; the client's address is remembered for affinity");
    expect(result.stdout).toContain("pod frontend-56d5b99bb5-b9kcj on svclab-worker2");
    expect(result.stdout).toMatch(/33\.3% {2}198\.18\.65\.11:3000 {2}pod frontend-56d5b99bb5-2nfwq on svclab-worker \(this node\)/);
  });

  it("says a node without local endpoints drops externalTrafficPolicy Local traffic", () => {
    const result = offline("frontend-local", "svclab-control-plane", "--port", "30081");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("→ dropped on this node: this node has no ready endpoint of its own and the Service has externalTrafficPolicy: Local");
    expect(result.stdout).toContain("from outside the cluster: dropped (no answer)");
    // The capture was taken without a kubelet: its KUBE-MARK-DROP chain is empty, and the explanation says what that means.
    expect(result.stdout).toContain("these rules hold no KUBE-MARK-DROP rule");
  });

  it("does not warn about KUBE-MARK-DROP when the kubelet's rule is there", () => {
    const file = path.join(scratch, "with-kubelet.txt");
    const rules = fs.readFileSync(rulesFile("svclab-control-plane"), "utf8");
    const nat = rules.indexOf("*nat");
    const fixed = rules.slice(0, nat) + rules.slice(nat).replace(/\nCOMMIT\n/, "\n-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000\nCOMMIT\n");
    fs.writeFileSync(file, fixed);
    const result = svclab(["frontend-local", "--node", "svclab-control-plane", "--iptables-save", file, "--objects", CAPTURE_DIR, "--port", "http"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("KUBE-MARK-DROP only marks the packet");
    expect(result.stdout).not.toContain("these rules hold no KUBE-MARK-DROP rule");
  });

  it("prints each rule's text with --raw", () => {
    const result = offline("frontend-nodeport", "svclab-worker", "--raw");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\n\s+-A KUBE-NODEPORTS -p tcp -m comment --comment "svclab\/frontend-nodeport:http" -m tcp --dport 30080 -j KUBE-EXT-/);
  });

  it("explains by addresses and says names are unknown without the API or --objects", () => {
    const result = svclab(["frontend-nodeport", "--iptables-save", rulesFile("svclab-worker"), ...NO_API]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`names: unknown (the kubeconfig ${NO_API[1]} does not exist`);
    expect(result.stdout).toContain("198.18.66.11:3000  (pod name unknown)");
  });

  it("refuses a Service with no ready endpoints (backend-not-ready)", () => {
    const result = svclab(["backend", "--iptables-save", rulesFile("svclab-worker", NOT_READY_DIR), ...NO_API]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("→ refused: the Service has no ready endpoints, so kube-proxy REJECTs");
  });

  it("explains why an ExternalName Service has no rules", () => {
    const result = offline("backend-external", "svclab-worker");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("with a CNAME to backend.svclab.svc.cluster.local");
  });

  it("exits 2 with one line for a file that is not iptables-save output", () => {
    const file = path.join(scratch, "notes.txt");
    fs.writeFileSync(file, "hello\nworld\n");
    const result = svclab(["backend", "--iptables-save", file, ...NO_API]);
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toBe(
      `svclab explain: --iptables-save ${file}: not iptables-save or nft output (it starts "hello"); allowed: the output of iptables-save or nft list ruleset on one node`,
    );
  });

  it("exits 2 naming the Services that have rules, nearest first, for a Service without rules", () => {
    const result = offline("frontend-lcoal", "svclab-worker");
    expect(result.status).toBe(2);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^svclab explain: service "svclab\/frontend-lcoal": no rules for it on node svclab-worker; Services with rules there: svclab\/frontend-local, /);
    expect(line).toContain("svclab/frontend-lb");
  });

  it("exits 2 for an unknown node, naming the nodes", () => {
    const result = offline("backend", "svclab-wroker");
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toBe('svclab explain: unknown node "svclab-wroker": allowed: svclab-control-plane, svclab-worker, svclab-worker2');
  });

  it("exits 2 for a port the Service does not have, naming its ports", () => {
    const result = offline("frontend-nodeport", "svclab-worker", "--port", "9999");
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toBe('svclab explain: port "9999": svclab/frontend-nodeport has no such port; allowed: http (80/TCP, node port 30080)');
  });

  it("exits 2 and says plainly that IPVS mode is not explained", () => {
    const file = path.join(scratch, "ipvs.txt");
    fs.writeFileSync(file, "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-NODE-PORT - [0:0]\n-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT\nCOMMIT\n");
    const result = svclab(["backend", "--iptables-save", file, ...NO_API]);
    expect(result.status).toBe(2);
    expect(oneLine(result.stderr)).toContain("kube-proxy runs in IPVS mode there: svclab explain does not explain IPVS");
  });
});

describe("svclab explain on kind (docker exec, faked)", () => {
  it("reads the node's rules with docker exec <node> iptables-save", () => {
    const fake = createFakeCli({ docker: { "exec svclab-worker iptables-save": { stdout: fs.readFileSync(rulesFile("svclab-worker"), "utf8") } } });
    try {
      const result = svclab(["frontend-lb", "--node", "svclab-worker", "--objects", CAPTURE_DIR], fake.env);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(fake.calls()).toEqual(["docker exec svclab-worker iptables-save"]);
      expect(result.stdout).toContain("rules: docker exec svclab-worker iptables-save");
      expect(result.stdout).toContain("LoadBalancer ingress 198.18.128.10:80/TCP");
    } finally {
      fake.cleanup();
    }
  });

  it("defaults to the first node and names the others", () => {
    const fake = createFakeCli({ docker: { "exec svclab-control-plane iptables-save": { stdout: fs.readFileSync(rulesFile("svclab-control-plane"), "utf8") } } });
    try {
      const result = svclab(["frontend-nodeport", "--objects", CAPTURE_DIR], fake.env);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe("explaining on node svclab-control-plane; the others: svclab-worker, svclab-worker2 (--node NAME)\n");
      expect(result.stdout).toContain("NodePort 30080/TCP on every address of svclab-control-plane");
    } finally {
      fake.cleanup();
    }
  });

  it("exits 2 with how to save the rules when docker is not there", () => {
    const empty = fs.mkdtempSync(path.join(scratch, "no-docker-"));
    const result = svclab(["backend", "--node", "svclab-worker", ...NO_API], { ...process.env, PATH: empty });
    expect(result.status).toBe(2);
    const line = oneLine(result.stderr);
    expect(line).toContain("cannot read the rules of node svclab-worker: `docker exec svclab-worker iptables-save`: docker is not on PATH");
    expect(line).toContain("save them with `iptables-save > FILE`");
  });

  it("exits 2 when the node has no kube-proxy rules in iptables nor nftables", () => {
    const fake = createFakeCli({
      docker: {
        "exec svclab-worker iptables-save": { stdout: "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n" },
        "exec svclab-worker nft list ruleset": { stdout: "table ip filter {\n}\n" },
      },
    });
    try {
      const result = svclab(["backend", "--node", "svclab-worker", ...NO_API], fake.env);
      expect(result.status).toBe(2);
      expect(oneLine(result.stderr)).toContain("node svclab-worker has no kube-proxy rules");
    } finally {
      fake.cleanup();
    }
  });
});
