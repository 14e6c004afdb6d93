/**
 * The pod vantage (verifier/probe/pod.ts) against a loopback API server: what
 * the agent's answers become, and which failures end the run.
 */
import { KubeApiError } from "../../verifier/errors";
import type { ProbeAgentInfo } from "../../verifier/model";
import { dialFromPod, resolveFromPod } from "../../verifier/probe/pod";
import { json, startLoopbackApi, type LoopbackApi } from "./loopback-api";

const AGENT: ProbeAgentInfo = { pod: "probe-0", nodeName: "lab-worker", podIP: "10.244.1.9", port: 3000, ready: true };

describe("probe/pod", () => {
  let api: LoopbackApi;
  beforeEach(async () => {
    api = await startLoopbackApi();
  });
  afterEach(async () => {
    await api.close();
  });

  test("asks the agent's /dial through the pods proxy with the target, count and per-attempt timeout, and reads its attempts", async () => {
    api.answer((_url, res) =>
      json(res, 200, {
        attempts: [
          { ok: true, status: 200, identity: { pod: "web-1", podIP: "10.244.1.5", listenPort: 3000 }, error: null, latencyMs: 3 },
          { ok: false, status: null, identity: null, error: "refused", message: "connect ECONNREFUSED", latencyMs: 1 },
        ],
      }),
    );
    const observation = await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10:80/", 2, 400);
    const asked = api.seen[0]!;
    expect(asked.pathname).toBe("/api/v1/namespaces/svclab/pods/probe-0:3000/proxy/dial");
    expect(Object.fromEntries(asked.searchParams)).toEqual({ target: "http://10.96.0.10:80/", count: "2", timeoutMs: "400" });
    expect(observation).toEqual({
      kind: "http",
      attempts: [
        { ok: true, status: 200, identity: { pod: "web-1", podIP: "10.244.1.5", listenPort: 3000 }, error: null, latencyMs: 3 },
        { ok: false, status: null, identity: null, error: "refused", message: "connect ECONNREFUSED", latencyMs: 1 },
      ],
    });
  });

  test("count and timeout are clamped to what the agent accepts", async () => {
    api.answer((_url, res) => json(res, 200, { attempts: [] }));
    await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 500, 20);
    expect(Object.fromEntries(api.seen[0]!.searchParams)).toMatchObject({ count: "100", timeoutMs: "50" });
  });

  test.each([
    ["an attempt that is not an object", ["oops"]],
    ["an attempt without ok", [{ status: 200 }]],
    ["a failed attempt without a known failure kind", [{ ok: false, error: "gremlins" }]],
  ])("a malformed /dial answer (%s) is a probe that could not run, never 'no answer'", async (_what, attempts) => {
    api.answer((_url, res) => json(res, 200, { attempts }));
    const observation = await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 400);
    expect(observation).toMatchObject({ kind: "broken", message: expect.stringMatching(/^probe agent svclab\/probe-0: \/dial attempt 1 is malformed: /) });
  });

  test("a /dial answer without attempts, or not JSON, is a broken probe", async () => {
    api.answer((_url, res) => json(res, 200, { nope: true }));
    expect(await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 400)).toEqual({ kind: "broken", message: "probe agent svclab/probe-0: /dial answer has no attempts" });
    api.answer((_url, res) => json(res, 200, "<html>"));
    expect(await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 400)).toEqual({
      kind: "broken",
      message: "probe agent svclab/probe-0 on lab-worker: /dial did not answer JSON",
    });
  });

  test("a pods proxy that cannot reach the agent (503) is a broken probe of that agent, not transient", async () => {
    api.answer((_url, res) => json(res, 503, { kind: "Status", message: "error trying to reach service: dial tcp 10.244.1.9:3000: connect: connection refused" }));
    const observation = await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 400);
    expect(observation).toEqual({ kind: "broken", message: expect.stringMatching(/^probe agent svclab\/probe-0 on lab-worker: pods proxy answered HTTP 503: /) });
  });

  test("an API hop that does not answer in time is broken but transient (a retry may get through)", async () => {
    api.answer(() => undefined);
    const observation = await dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 50);
    expect(observation).toMatchObject({ kind: "broken", transient: true, message: expect.stringContaining("API server request failed (timeout)") });
  }, 30000);

  test.each([401, 403])("HTTP %i from the API server ends the run: a KubeApiError naming the agent", async (status) => {
    api.answer((_url, res) => json(res, status, { kind: "Status", message: `pods "probe-0" is forbidden: User "u" cannot get resource "pods/proxy"` }));
    const run = dialFromPod(api.kc, "svclab", AGENT, "http://10.96.0.10/", 1, 400);
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(new RegExp(`^Kubernetes API: cannot use the pods proxy of probe agent svclab/probe-0 on lab-worker: HTTP ${status} .*cannot get resource "pods/proxy"$`));
  });

  test("an API server that is gone ends the run: a KubeApiError, not a row per probe", async () => {
    await api.close();
    await expect(resolveFromPod(api.kc, "svclab", AGENT, "web.svclab.svc.cluster.local", "A", 400)).rejects.toThrow(
      new RegExp(`^Kubernetes API: cannot use the pods proxy of probe agent svclab/probe-0 on lab-worker: ${api.server} is gone \\(refused: `),
    );
  });

  test("/resolve answers become DNS observations: records, or the error word", async () => {
    api.answer((url, res) =>
      url.searchParams.get("name") === "web.svclab.svc.cluster.local"
        ? json(res, 200, { ok: true, records: ["10.96.0.10"] })
        : json(res, 200, { ok: false, error: "nxdomain" }),
    );
    expect(await resolveFromPod(api.kc, "svclab", AGENT, "web.svclab.svc.cluster.local", "A", 400)).toEqual({ kind: "dns", ok: true, records: ["10.96.0.10"] });
    expect(api.seen[0]?.pathname).toBe("/api/v1/namespaces/svclab/pods/probe-0:3000/proxy/resolve");
    expect(Object.fromEntries(api.seen[0]!.searchParams)).toEqual({ name: "web.svclab.svc.cluster.local", type: "A" });
    expect(await resolveFromPod(api.kc, "svclab", AGENT, "nope.svclab.svc.cluster.local", "A", 400)).toEqual({ kind: "dns", ok: false, error: "nxdomain" });
  });
});
