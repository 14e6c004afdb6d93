/**
 * The probe agent is no open relay: `/dial` and `/resolve` need the per-lab
 * token from PROBE_TOKEN_FILE in the `x-svclab-probe-token` header; without
 * it (or with a wrong one) the answer is 401 and nothing is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ConfigError, loadConfig, MISSING_PROBE_TOKEN_FILE } from "../../apps/src/config";
import { startApp } from "../../apps/src/server";
import { PROBE_TOKEN_HEADER } from "../../apps/src/probe-token";
import { startFakeDns } from "./fake-dns";
import { Cleanup, LOOPBACK, fixedServer, request, startTestApp } from "./helpers";

const TOKEN = "s3cr3t-token-of-the-lab-0123456789abcdef";

describe("probe token", () => {
  const cleanup = new Cleanup();
  let dir: string;
  let tokenFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "svclab-token-"));
    tokenFile = path.join(dir, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
  });
  afterEach(async () => {
    await cleanup.run();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A target that counts the requests it gets, and a probe guarding it with the token file. */
  async function setUp(): Promise<{ probePort: number; targetUrl: string; hits: () => number }> {
    let count = 0;
    const port = await fixedServer(cleanup, (_request, response) => {
      count += 1;
      response.end("{}");
    });
    const probe = await startTestApp(cleanup, { ROLE: "probe", PROBE_TOKEN_FILE: tokenFile });
    return { probePort: probe.port, targetUrl: encodeURIComponent(`http://${LOOPBACK}:${port}/`), hits: () => count };
  }

  test("a /dial without the token header gets 401 naming the header, and nothing is sent", async () => {
    const { probePort, targetUrl, hits } = await setUp();
    const answer = await request(probePort, `/dial?target=${targetUrl}`);
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ error: { header: PROBE_TOKEN_HEADER, message: expect.stringContaining(PROBE_TOKEN_HEADER) } });
    expect(hits()).toBe(0);
  });

  test("a /dial with a wrong token gets 401, and nothing is sent", async () => {
    const { probePort, targetUrl, hits } = await setUp();
    for (const wrong of ["nope", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const answer = await request(probePort, `/dial?target=${targetUrl}`, { headers: { [PROBE_TOKEN_HEADER]: wrong } });
      expect(answer.status).toBe(401);
    }
    expect(hits()).toBe(0);
  });

  test("a /dial with the token dials", async () => {
    const { probePort, targetUrl, hits } = await setUp();
    const answer = await request(probePort, `/dial?target=${targetUrl}&count=2`, { headers: { [PROBE_TOKEN_HEADER]: TOKEN } });
    expect(answer.status).toBe(200);
    expect(hits()).toBe(2);
  });

  test("a /resolve without the token gets 401 and no DNS query is made", async () => {
    let queries = 0;
    const dns = await startFakeDns(cleanup, { a: { "backend.svclab.invalid": ["127.0.0.1"] }, onQuery: () => (queries += 1) });
    const probe = await startTestApp(cleanup, { ROLE: "probe", PROBE_TOKEN_FILE: tokenFile }, [dns]);
    const refused = await request(probe.port, "/resolve?name=backend.svclab.invalid");
    expect(refused.status).toBe(401);
    expect(queries).toBe(0);
    const allowed = await request(probe.port, "/resolve?name=backend.svclab.invalid", { headers: { [PROBE_TOKEN_HEADER]: TOKEN } });
    expect(allowed.json()).toMatchObject({ ok: true, records: ["127.0.0.1"] });
  });

  test("identity, health and readiness stay open (the kubelet and the Services use them)", async () => {
    const { probePort } = await setUp();
    for (const pathName of ["/", "/healthz", "/readyz"]) expect((await request(probePort, pathName)).status).toBe(200);
  });

  test("a rotated token file takes effect without a restart", async () => {
    const { probePort, targetUrl } = await setUp();
    const rotated = "another-token-after-rotation-42";
    writeFileSync(tokenFile, rotated);
    expect((await request(probePort, `/dial?target=${targetUrl}`, { headers: { [PROBE_TOKEN_HEADER]: TOKEN } })).status).toBe(401);
    expect((await request(probePort, `/dial?target=${targetUrl}`, { headers: { [PROBE_TOKEN_HEADER]: rotated } })).status).toBe(200);
  });

  test("a token file that disappears makes the gated paths 503 for everyone", async () => {
    const { probePort, targetUrl, hits } = await setUp();
    rmSync(tokenFile);
    const answer = await request(probePort, `/dial?target=${targetUrl}`, { headers: { [PROBE_TOKEN_HEADER]: TOKEN } });
    expect(answer.status).toBe(503);
    expect(answer.json().error.message).toContain(tokenFile);
    expect(hits()).toBe(0);
  });

  test("the agent does not start on a missing or too short token file, naming it", async () => {
    const missing = path.join(dir, "missing");
    await expect(startApp(loadConfig({ ROLE: "probe", PROBE_TOKEN_FILE: missing }), { host: LOOPBACK, port: 0 })).rejects.toThrow(
      `PROBE_TOKEN_FILE ${missing} cannot be read`,
    );
    writeFileSync(tokenFile, "short\n");
    await expect(startApp(loadConfig({ ROLE: "probe", PROBE_TOKEN_FILE: tokenFile }), { host: LOOPBACK, port: 0 })).rejects.toThrow(
      `PROBE_TOKEN_FILE ${tokenFile} holds 5 characters; allowed: a token of at least 16`,
    );
  });

  test("PROBE_TOKEN_FILE is read for the probe role only", () => {
    expect(loadConfig({ ROLE: "probe", PROBE_TOKEN_FILE: "/t" }).probeTokenFile).toBe("/t");
    expect(loadConfig({ ROLE: "backend", PROBE_TOKEN_FILE: "/t" }).probeTokenFile).toBeNull();
    expect(loadConfig({ ROLE: "frontend" }).probeTokenFile).toBeNull();
  });

  test("ROLE=probe without PROBE_TOKEN_FILE is refused, naming the variable and what the file must hold", () => {
    for (const unset of [{}, { PROBE_TOKEN_FILE: "" }, { PROBE_TOKEN_FILE: "  " }]) {
      expect(() => loadConfig({ ROLE: "probe", ...unset })).toThrow(new ConfigError(MISSING_PROBE_TOKEN_FILE));
    }
    expect(MISSING_PROBE_TOKEN_FILE).toBe(
      "ROLE=probe needs PROBE_TOKEN_FILE, the path of a file holding the probe token (at least 16 characters) " +
        "that callers of /dial and /resolve must send in the x-svclab-probe-token header; it is unset, and an agent without it would relay for anyone",
    );
  });

  test("a probe config built without a token file does not start either, and nothing listens", async () => {
    const config = { ...loadConfig({ ROLE: "probe", PROBE_TOKEN_FILE: tokenFile }), probeTokenFile: null };
    // Should it start after all, close it, so the failure is this assertion and not a hung run.
    const started = startApp(config, { host: LOOPBACK, port: 0 }).then((app) => (cleanup.add(() => app.close(0)), app));
    await expect(started).rejects.toThrow(new ConfigError(MISSING_PROBE_TOKEN_FILE));
  });
});
