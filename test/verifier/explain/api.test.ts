/**
 * Names from the live API: a small HTTP server on 127.0.0.1 answers the four
 * list calls with the real capture's objects (as the API server returned
 * them), and `svclab explain` runs in-process against it.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { runExplain, type ExplainFlags } from "../../../verifier/explain/cli";
import { writeKubeconfig, type KubeconfigFile } from "../../support/standin/kubeconfig";
import { CAPTURE_DIR, rulesFile } from "./capture";

const TOKEN = "explain-test-token";
const LISTS: Readonly<Record<string, string>> = {
  "/api/v1/namespaces/svclab/services": "services.json",
  "/apis/discovery.k8s.io/v1/namespaces/svclab/endpointslices": "endpointslices.json",
  "/api/v1/namespaces/svclab/pods": "pods.json",
  "/api/v1/nodes": "nodes.json",
};

let server: http.Server;
let kubeconfig: KubeconfigFile;
let status = 200;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const file = LISTS[new URL(req.url ?? "/", "http://x").pathname];
    const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
    res.setHeader("content-type", "application/json");
    if (file === undefined || !authorized || status !== 200) {
      const code = file === undefined ? 404 : !authorized ? 401 : status;
      res.writeHead(code).end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: code === 403 ? "forbidden: no list for you" : "nope", code }));
      return;
    }
    res.writeHead(200).end(fs.readFileSync(path.join(CAPTURE_DIR, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  kubeconfig = writeKubeconfig("explain-test", `http://127.0.0.1:${(server.address() as AddressInfo).port}`, TOKEN, "svclab");
});

afterAll(async () => {
  kubeconfig.remove();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  status = 200;
});

async function run(service: string, flags: Partial<ExplainFlags>, docker?: (program: string, args: readonly string[]) => Promise<string>) {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: "", err: "" };
  out.on("data", (c: Buffer) => (text.out += c.toString("utf8")));
  err.on("data", (c: Buffer) => (text.err += c.toString("utf8")));
  const code = await runExplain(service, { namespace: "svclab", kubeconfig: kubeconfig.path, ...flags }, out, err, docker);
  return { code, ...text };
}

describe("svclab explain with names from the Kubernetes API", () => {
  it("names pods and nodes from the API for an offline rules file", async () => {
    const result = await run("frontend-local", { node: "svclab-worker", iptablesSave: rulesFile("svclab-worker") });
    expect(result.code).toBe(0);
    expect(result.out).toContain("names: the Kubernetes API (context explain-test)");
    expect(result.out).toContain("198.18.65.12:3000  pod frontend-56d5b99bb5-wx8c4 on svclab-worker (this node)");
    expect(result.out).toContain("svclab/frontend-local (type NodePort, externalTrafficPolicy Local)");
  });

  it("on kind, takes the first of the API's nodes and reads it with docker exec", async () => {
    const calls: string[] = [];
    const docker = async (program: string, args: readonly string[]) => {
      calls.push([program, ...args].join(" "));
      return fs.readFileSync(rulesFile("svclab-control-plane"), "utf8");
    };
    const result = await run("frontend-local", {}, docker);
    expect(result.code).toBe(0);
    expect(calls).toEqual(["docker exec svclab-control-plane iptables-save"]);
    expect(result.err).toBe("explaining on node svclab-control-plane; the others: svclab-worker, svclab-worker2 (--node NAME)\n");
    expect(result.out).toContain("from outside the cluster: dropped (no answer)");
  });

  it("an unknown node is refused before docker is asked", async () => {
    const docker = async () => {
      throw new Error("docker must not be called");
    };
    const result = await run("backend", { node: "kind-control-plane" }, docker);
    expect(result.code).toBe(2);
    expect(result.err).toBe('svclab explain: unknown node "kind-control-plane": allowed: svclab-control-plane, svclab-worker, svclab-worker2\n');
  });

  it("explains by addresses, saying why, when the API refuses", async () => {
    status = 403;
    const result = await run("frontend-local", { node: "svclab-worker", iptablesSave: rulesFile("svclab-worker") });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/names: unknown \(Kubernetes API: cannot list .*HTTP 403 forbidden: no list for you\)/);
    expect(result.out).toContain("198.18.65.12:3000  (pod name unknown)");
  });

  it("without --node, unknown nodes and no --iptables-save: one line saying what is allowed", async () => {
    status = 403;
    const result = await run("backend", {});
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^svclab explain: no --node given and the cluster's nodes are unknown \(Kubernetes API: .*\); allowed: --node NAME \(a kind node container\) or --iptables-save FILE\n$/);
  });
});
