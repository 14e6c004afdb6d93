import * as http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadKubeTarget } from "../../verifier/kube/config";
import { kubeGet } from "../../verifier/kube/request";

describe("requests through the kubeconfig", () => {
  const seen: { url: string; authorization: string | undefined }[] = [];
  let server: http.Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
      if (req.url?.includes("/silent")) return; // never answers
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(path.join(tmpdir(), "svclab-kc-"));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A kubeconfig for a plain-http server without insecure-skip-tls-verify, as kubectl accepts it. */
  function kubeconfig(server: string): string {
    const file = path.join(dir, `kc-${seen.length}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{ name: c, cluster: { server: '${server}' } }]`,
        "users: [{ name: u, user: { token: secret-token } }]",
        "contexts: [{ name: lab, context: { cluster: c, user: u } }]",
        "current-context: lab",
      ].join("\n"),
    );
    return file;
  }

  test("sends the bearer token and keeps the server's path prefix and the query", async () => {
    const target = loadKubeTarget(kubeconfig(`http://127.0.0.1:${port}/k8s/clusters/c-1`));
    expect(target).toMatchObject({ context: "lab", server: `http://127.0.0.1:${port}/k8s/clusters/c-1` });
    const result = await kubeGet(target.kc, "/api/v1/namespaces/svclab/pods/probe-0:3000/proxy/dial?target=http%3A%2F%2F10.96.0.10%2F&count=1", 1000);
    expect(result).toEqual({ kind: "response", status: 200, body: '{"ok":true}' });
    expect(seen.at(-1)).toEqual({
      url: "/k8s/clusters/c-1/api/v1/namespaces/svclab/pods/probe-0:3000/proxy/dial?target=http%3A%2F%2F10.96.0.10%2F&count=1",
      authorization: "Bearer secret-token",
    });
  });

  test("a server that does not answer in time is a timeout failure, not a hang", async () => {
    const target = loadKubeTarget(kubeconfig(`http://127.0.0.1:${port}`));
    expect(await kubeGet(target.kc, "/silent", 100)).toEqual({ kind: "failure", error: "timeout", message: "no answer from the API server within 100 ms" });
  });
});
