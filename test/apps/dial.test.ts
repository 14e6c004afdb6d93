import { classifyError, MAX_BODY_BYTES } from "../../apps/src/http-attempt";
import { startFakeDns } from "./fake-dns";
import { Cleanup, closedPort, fixedServer, silentListener, startTestApp, startTestProbe } from "./helpers";

const PROBE = { POD_NAME: "probe-abc", NODE_NAME: "kind-control-plane" };

describe("GET /dial", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function dialFromProbe(query: string, dnsServers?: readonly string[]): Promise<any> {
    const probe = await startTestProbe(cleanup, PROBE, dnsServers);
    const answer = await probe.request(`/dial?${query}`);
    expect(answer.status).toBe(200);
    return answer.json();
  }

  it("reaches a live workload and parses its identity", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-1" });
    const target = `http://127.0.0.1:${backend.port}/`;
    const report = await dialFromProbe(`target=${encodeURIComponent(target)}`);
    expect(report).toMatchObject({ target, count: 1, timeoutMs: 1500 });
    expect(report.attempts).toHaveLength(1);
    expect(report.attempts[0]).toMatchObject({ ok: true, status: 200, error: null, message: null });
    expect(report.attempts[0].identity).toMatchObject({ role: "backend", pod: "backend-1", listenPort: backend.port });
    expect(report.attempts[0].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("makes count attempts, each on a new connection", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend" });
    const report = await dialFromProbe(`target=http://127.0.0.1:${backend.port}/&count=3`);
    const clientPorts = report.attempts.map((attempt: any) => attempt.identity.client.port);
    expect(report.attempts.map((attempt: any) => attempt.ok)).toEqual([true, true, true]);
    expect(new Set(clientPorts).size).toBe(3);
  });

  it("reports a closed port as refused", async () => {
    const port = await closedPort();
    const report = await dialFromProbe(`target=http://127.0.0.1:${port}/`);
    expect(report.attempts[0]).toMatchObject({ ok: false, status: null, identity: null, error: "refused" });
  });

  it("reports a listener that accepts and never answers as a timeout", async () => {
    const silent = await silentListener(cleanup);
    const report = await dialFromProbe(`target=http://127.0.0.1:${silent.port}/&timeoutMs=100&count=2`);
    expect(report.attempts).toHaveLength(2);
    for (const attempt of report.attempts) {
      expect(attempt).toMatchObject({ ok: false, status: null, error: "timeout", message: "no complete answer within 100 ms" });
    }
  });

  it("reports a name in the .invalid domain as a DNS failure", async () => {
    // A DNS server on loopback that knows no names says NXDOMAIN, as any DNS server does for .invalid (RFC 6761).
    const dns = await startFakeDns(cleanup, {});
    const report = await dialFromProbe("target=http://svclab-no-such-host.invalid/", [dns]);
    expect(report.attempts[0]).toMatchObject({ ok: false, status: null, error: "dns" });
  });

  it("dials a name through the DNS servers it was given", async () => {
    const dns = await startFakeDns(cleanup, { a: { "backend.svclab.invalid": ["127.0.0.1"] } });
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-dns" });
    const report = await dialFromProbe(`target=http://backend.svclab.invalid:${backend.port}/`, [dns]);
    expect(report.attempts[0]).toMatchObject({ ok: true, status: 200, error: null });
    expect(report.attempts[0].identity).toMatchObject({ pod: "backend-dns" });
  });

  it("reports a connection closed without an answer as reset", async () => {
    const port = await fixedServer(cleanup, (request) => request.socket.destroy());
    const report = await dialFromProbe(`target=http://127.0.0.1:${port}/`);
    expect(report.attempts[0]).toMatchObject({ ok: false, status: null, error: "reset" });
  });

  it("reports an HTTP 500 answer as http-status, keeping the status", async () => {
    const port = await fixedServer(cleanup, (_request, response) => response.writeHead(500).end("boom"));
    const report = await dialFromProbe(`target=http://127.0.0.1:${port}/`);
    expect(report.attempts[0]).toMatchObject({
      ok: false,
      status: 500,
      identity: null,
      error: "http-status",
      message: "the answer was HTTP 500",
    });
  });

  it("stops reading an oversized answer and says so", async () => {
    const port = await fixedServer(cleanup, (_request, response) => response.end(Buffer.alloc(MAX_BODY_BYTES + 1, "x")));
    const report = await dialFromProbe(`target=http://127.0.0.1:${port}/`);
    expect(report.attempts[0]).toMatchObject({
      ok: false,
      status: 200,
      identity: null,
      error: "other",
      message: `the answer's body is larger than ${MAX_BODY_BYTES} bytes; stopped reading`,
    });
  });

  it("counts an answer that is not a workload as ok with no identity", async () => {
    const port = await fixedServer(cleanup, (_request, response) => response.end("<html>nginx</html>"));
    const report = await dialFromProbe(`target=http://127.0.0.1:${port}/`);
    expect(report.attempts[0]).toMatchObject({ ok: true, status: 200, identity: null, error: null });
  });
});

describe("classifyError", () => {
  it.each([
    ["ECONNREFUSED", "refused"],
    ["ETIMEDOUT", "timeout"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ECONNRESET", "reset"],
    ["EPIPE", "reset"],
    ["EHOSTUNREACH", "unreachable"],
    ["ENETUNREACH", "unreachable"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "other"],
    [undefined, "other"],
  ])("maps the error code %s to %s", (code, kind) => {
    expect(classifyError(Object.assign(new Error("x"), { code }))).toBe(kind);
  });
});
