/**
 * The pod vantage (verifier/probe/agent-batch.ts, probe/pod.ts) against a
 * loopback API server: how work is batched per agent, what the streamed
 * answer becomes, and how every way a batch can break turns into probes that
 * could not run (never a pass) or an error that ends the run.
 */
import type * as http from "node:http";
import { KubeApiError } from "../../verifier/errors";
import type { ProbeAgentInfo } from "../../verifier/model";
import { AGENT_LIMITS, AgentBatcher, type PodWork } from "../../verifier/probe/agent-batch";
import { batchedByAgent, liveExecutor, runProbes } from "../../verifier/run";
import type { Observation, Probe } from "../../verifier/types";
import { json, startLoopbackApi, type LoopbackApi } from "./loopback-api";

const AGENT: ProbeAgentInfo = { pod: "probe-0", nodeName: "lab-worker", podIP: "10.244.1.9", port: 3000, ready: true };
const OTHER: ProbeAgentInfo = { pod: "probe-1", nodeName: "lab-worker2", podIP: "10.244.2.9", port: 3000, ready: true };
const PATH = "/api/v1/namespaces/svclab/pods/probe-0:3000/proxy/dial";

const dial = (url: string, extra: Partial<Extract<PodWork, { kind: "dial" }>> = {}): PodWork => ({ kind: "dial", url, count: 1, timeoutMs: 400, expectNo: false, ...extra });
const REACHED = { ok: true, status: 200, identity: { pod: "web-1", podIP: "10.244.1.5", listenPort: 3000 }, error: null, latencyMs: 3 };

/** The items of a batch body. */
function itemsOf(body: string): Record<string, any>[] {
  return (JSON.parse(body) as { items: Record<string, any>[] }).items;
}

/** Streams one line per item as `lineFor` says (undefined: no line), then the done line unless `end` says otherwise. */
function streaming(lineFor: (item: Record<string, any>) => unknown, end: "done" | "no-done" | "cut" = "done") {
  return (_url: URL, res: http.ServerResponse, body: string): void => {
    const items = itemsOf(body);
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    for (const item of items) {
      const line = lineFor(item);
      if (line !== undefined) res.write(`${typeof line === "string" ? line : JSON.stringify(line)}\n`);
    }
    if (end === "done") res.end(`${JSON.stringify({ done: true, items: items.length })}\n`);
    else if (end === "no-done") res.end();
    // Cut: the connection drops once what was written has gone out, before the chunked body's end.
    else res.write("", () => res.socket?.destroy());
  };
}

const answerAll = streaming((item) => ({ id: item.id, kind: item.kind ?? "dial", target: item.target, count: item.count, timeoutMs: item.timeoutMs, attempts: [REACHED] }));

describe("probe/agent-batch: pod probes in batches through the pods proxy", () => {
  let api: LoopbackApi;
  let batcher: AgentBatcher;
  beforeEach(async () => {
    api = await startLoopbackApi();
    batcher = new AgentBatcher(api.kc, "svclab", undefined);
  });
  afterEach(async () => {
    await api.close();
  });

  test("work asked of one agent in one window goes out as one POST /dial; each probe gets its own line's attempts", async () => {
    const bodies: string[] = [];
    api.answer((url, res, body) => {
      bodies.push(body);
      streaming((item) =>
        item.kind === "resolve"
          ? { id: item.id, kind: "resolve", name: item.name, type: item.type, ok: true, records: ["10.96.0.10"] }
          : { id: item.id, kind: "dial", attempts: item.target.includes("refuse") ? [{ ok: false, status: null, identity: null, error: "refused", message: "connect ECONNREFUSED", latencyMs: 1 }] : [REACHED] },
      )(url, res, body);
    });
    const [yes, no, dns] = await Promise.all([
      batcher.send(AGENT, dial("http://10.96.0.10:80/", { count: 2, timeoutMs: 400 })),
      batcher.send(AGENT, dial("http://10.96.0.11:80/refuse", { expectNo: true })),
      batcher.send(AGENT, { kind: "resolve", name: "web.svclab.svc.cluster.local", recordType: "A", timeoutMs: 400 }),
    ]);
    expect(api.methods).toEqual(["POST"]);
    expect(api.seen[0]?.pathname).toBe(PATH);
    expect(itemsOf(bodies[0] as string)).toEqual([
      { id: "0", target: "http://10.96.0.10:80/", count: 2, timeoutMs: 400 },
      { id: "1", target: "http://10.96.0.11:80/refuse", count: 1, timeoutMs: 400, expectNo: true },
      { id: "2", kind: "resolve", name: "web.svclab.svc.cluster.local", type: "A" },
    ]);
    expect(yes).toEqual({ kind: "http", attempts: [REACHED] });
    expect(no).toEqual({ kind: "http", attempts: [{ ok: false, status: null, identity: null, error: "refused", message: "connect ECONNREFUSED", latencyMs: 1 }] });
    expect(dns).toEqual({ kind: "dns", ok: true, records: ["10.96.0.10"] });
  });

  test("each agent gets its own request", async () => {
    batcher = new AgentBatcher(api.kc, "svclab", "the-token");
    const tokens: (string | undefined)[] = [];
    api.answer((url, res, body) => {
      tokens.push(url.pathname);
      answerAll(url, res, body);
    });
    await Promise.all([batcher.send(AGENT, dial("http://a/")), batcher.send(OTHER, dial("http://b/")), batcher.send(AGENT, dial("http://c/"))]);
    expect(api.seen.map((u) => u.pathname).sort()).toEqual([PATH, "/api/v1/namespaces/svclab/pods/probe-1:3000/proxy/dial"]);
  });

  test("count and timeout are clamped to what the agent accepts", async () => {
    let items: Record<string, any>[] = [];
    api.answer((url, res, body) => {
      items = itemsOf(body);
      answerAll(url, res, body);
    });
    await batcher.send(AGENT, dial("http://10.96.0.10/", { count: 500, timeoutMs: 20 }));
    expect(items[0]).toMatchObject({ count: 100, timeoutMs: 50 });
  });

  test(`more than ${AGENT_LIMITS.maxItems} items at once go out in requests of at most ${AGENT_LIMITS.maxItems}`, async () => {
    const sizes: number[] = [];
    api.answer((url, res, body) => {
      sizes.push(itemsOf(body).length);
      answerAll(url, res, body);
    });
    const all = await Promise.all(Array.from({ length: AGENT_LIMITS.maxItems + 5 }, (_, i) => batcher.send(AGENT, dial(`http://10.96.0.10/${i}`))));
    expect(sizes.sort((a, b) => b - a)).toEqual([AGENT_LIMITS.maxItems, 5]);
    expect(all.every((o) => o.kind === "http" && o.attempts[0]?.ok === true)).toBe(true);
  });

  test.each([
    ["an attempt that is not an object", ["oops"]],
    ["an attempt without ok", [{ status: 200 }]],
    ["a failed attempt without a known failure kind", [{ ok: false, error: "gremlins" }]],
  ])("a malformed dial answer (%s) is a probe that could not run, never 'no answer'", async (_what, attempts) => {
    api.answer(streaming((item) => ({ id: item.id, kind: "dial", attempts })));
    const observation = await batcher.send(AGENT, dial("http://10.96.0.10/", { expectNo: true }));
    expect(observation).toMatchObject({ kind: "broken", message: expect.stringMatching(/^probe agent svclab\/probe-0: \/dial attempt 1 is malformed: /) });
  });

  test("a dial line without attempts is a broken probe", async () => {
    api.answer(streaming((item) => ({ id: item.id, kind: "dial", nope: true })));
    expect(await batcher.send(AGENT, dial("http://10.96.0.10/"))).toEqual({ kind: "broken", message: "probe agent svclab/probe-0: /dial answer has no attempts" });
  });

  test("a line that is not JSON, or names no item of the batch, makes every unanswered probe of the batch broken, never a pass", async () => {
    let call = 0;
    api.answer((url, res, body) => {
      call += 1;
      const bad = call === 1 ? "<html>oops" : JSON.stringify({ id: "nobody", kind: "dial", attempts: [] });
      streaming((item) => (item.target.endsWith("/fine") ? { id: item.id, kind: "dial", attempts: [REACHED] } : bad))(url, res, body);
    });
    for (const expected of ['"<html>oops"', '"{\\"id\\":\\"nobody\\"']) {
      const [fine, waiting] = await Promise.all([batcher.send(AGENT, dial("http://10.96.0.10/fine")), batcher.send(AGENT, dial("http://10.96.0.11/", { expectNo: true }))]);
      expect(fine).toEqual({ kind: "http", attempts: [REACHED] });
      expect(waiting).toEqual({
        kind: "broken",
        message: expect.stringContaining(`probe agent svclab/probe-0 on lab-worker: the batch answer has a malformed line (${expected}`),
      });
      expect(waiting).not.toHaveProperty("transient");
    }
  });

  test("a stream that ends without its done line leaves the unanswered probes broken (transient: a retry may get through)", async () => {
    api.answer(streaming((item) => (item.target.endsWith("/first") ? { id: item.id, kind: "dial", attempts: [REACHED] } : undefined), "no-done"));
    const [first, second] = await Promise.all([batcher.send(AGENT, dial("http://10.96.0.10/first")), batcher.send(AGENT, dial("http://10.96.0.10/second", { expectNo: true }))]);
    expect(first).toEqual({ kind: "http", attempts: [REACHED] });
    expect(second).toEqual({
      kind: "broken",
      transient: true,
      message: "probe agent svclab/probe-0 on lab-worker: the batch answer ended without its last line; 1 of its 2 items got no result",
    });
  });

  test("a stream cut off mid-way (the connection drops) leaves the unanswered probes broken and transient", async () => {
    api.answer(streaming((item) => (item.target.endsWith("/first") ? { id: item.id, kind: "dial", attempts: [REACHED] } : undefined), "cut"));
    const [first, second] = await Promise.all([batcher.send(AGENT, dial("http://10.96.0.10/first")), batcher.send(AGENT, dial("http://10.96.0.10/second", { expectNo: true }))]);
    expect(first).toEqual({ kind: "http", attempts: [REACHED] });
    expect(second).toMatchObject({ kind: "broken", transient: true, message: expect.stringMatching(/^probe agent svclab\/probe-0 on lab-worker: the batch answer was cut off \(/) });
  });

  test("a done line that leaves an item out still leaves that probe broken", async () => {
    api.answer(streaming(() => undefined));
    expect(await batcher.send(AGENT, dial("http://10.96.0.10/", { expectNo: true }))).toEqual({
      kind: "broken",
      message: "probe agent svclab/probe-0 on lab-worker: the batch answer ended, but 1 of its 1 items got no result",
    });
  });

  test("a pods proxy that cannot reach the agent (503) is a broken probe of that agent for every item, not transient", async () => {
    api.answer((_url, res) => json(res, 503, { kind: "Status", message: "error trying to reach service: dial tcp 10.244.1.9:3000: connect: connection refused" }));
    const all = await Promise.all([batcher.send(AGENT, dial("http://a/", { expectNo: true })), batcher.send(AGENT, dial("http://b/"))]);
    for (const observation of all) {
      expect(observation).toEqual({ kind: "broken", message: expect.stringMatching(/^probe agent svclab\/probe-0 on lab-worker: pods proxy answered HTTP 503: /) });
    }
  });

  test("an API hop that does not answer in time is broken but transient (a retry may get through)", async () => {
    api.answer(() => undefined);
    const observation = await batcher.send(AGENT, dial("http://10.96.0.10/", { timeoutMs: 50 }));
    expect(observation).toMatchObject({ kind: "broken", transient: true, message: expect.stringContaining("API server request failed (timeout)") });
  }, 30000);

  test.each([401, 403])("HTTP %i from the API server ends the run: a KubeApiError naming the agent, for every probe of the batch", async (status) => {
    api.answer((_url, res) => json(res, status, { kind: "Status", message: `pods "probe-0" is forbidden: User "u" cannot create resource "pods/proxy"` }));
    const runs = [batcher.send(AGENT, dial("http://a/")), batcher.send(AGENT, dial("http://b/"))];
    for (const run of runs) {
      await expect(run).rejects.toBeInstanceOf(KubeApiError);
      await expect(run).rejects.toThrow(new RegExp(`^Kubernetes API: cannot use the pods proxy of probe agent svclab/probe-0 on lab-worker: HTTP ${status} .*cannot create resource "pods/proxy"$`));
    }
  });

  test("the agent refusing the probe token ends the run, saying whether a token was sent", async () => {
    api.answer((_url, res) => json(res, 401, { error: { header: "x-svclab-probe-token", message: "this path needs the probe token" } }));
    await expect(batcher.send(AGENT, dial("http://a/"))).rejects.toThrow(/the agent refused the probe token \(this path needs the probe token\): no token was sent/);
  });

  test("an API server that is gone ends the run: a KubeApiError, not a row per probe", async () => {
    await api.close();
    await expect(batcher.send(AGENT, { kind: "resolve", name: "web.svclab.svc.cluster.local", recordType: "A", timeoutMs: 400 })).rejects.toThrow(
      new RegExp(`^Kubernetes API: cannot use the pods proxy of probe agent svclab/probe-0 on lab-worker: ${api.server} is gone \\(refused: `),
    );
  });

  test("lookups become DNS observations: records, or the error word", async () => {
    api.answer(streaming((item) =>
      item.name === "web.svclab.svc.cluster.local"
        ? { id: item.id, kind: "resolve", ok: true, records: ["10.96.0.10"] }
        : { id: item.id, kind: "resolve", ok: false, error: "nxdomain" },
    ));
    const resolve = (name: string): Promise<Observation> => batcher.send(AGENT, { kind: "resolve", name, recordType: "A", timeoutMs: 400 });
    expect(await Promise.all([resolve("web.svclab.svc.cluster.local"), resolve("nope.svclab.svc.cluster.local")])).toEqual([
      { kind: "dns", ok: true, records: ["10.96.0.10"] },
      { kind: "dns", ok: false, error: "nxdomain" },
    ]);
  });

  test("a line of the wrong kind for its item is malformed: that probe could not run", async () => {
    api.answer(streaming((item) => ({ id: item.id, kind: "resolve", ok: false, error: "nxdomain" })));
    expect(await batcher.send(AGENT, dial("http://a/", { expectNo: true }))).toMatchObject({ kind: "broken", message: expect.stringContaining("malformed line") });
  });

  describe("through the runner (live executor, batched lane)", () => {
    const ENDPOINTS = [{ podName: "web-1", address: "10.244.1.5", nodeName: "lab-worker" }];
    const podProbe = (id: string, expect: Probe["expect"]): Probe => ({
      id,
      rule: expect.kind === "reach" ? "clusterip-from-pod" : "pod-ip-not-from-outside",
      service: "web",
      vantage: "pod",
      from: AGENT.nodeName,
      agent: AGENT,
      target: { kind: "http", label: id, url: `http://10.96.0.10/${id}`, requests: 1 },
      expect,
    });
    const run = (probes: Probe[]) =>
      runProbes(probes, { concurrency: 4, deadline: 0, execute: liveExecutor(api.kc, "svclab", 400), batched: batchedByAgent });

    test.each([
      ["cut off", streaming(() => undefined, "cut")],
      ["without its done line", streaming(() => undefined, "no-done")],
      ["with malformed lines", streaming(() => "{not json")],
      ["from an agent that is gone (503)", (_url: URL, res: http.ServerResponse) => json(res, 503, { kind: "Status", message: "no endpoints" })],
    ])("a batch answer %s makes its probes errors, never passes, even the expected-no ones", async (_what, answer) => {
      api.answer(answer);
      const results = await run([podProbe("no-1", { kind: "no-reach", endpoints: ENDPOINTS }), podProbe("yes-1", { kind: "reach", endpoints: ENDPOINTS })]);
      expect(results.map((r) => [r.id, r.status])).toEqual([["no-1", "error"], ["yes-1", "error"]]);
      expect(results[0]?.reason).toMatch(/^probe agent svclab\/probe-0 on lab-worker: /);
    });

    test("an expected answer not there yet is sent again in a later batch, and the retry's answer is judged", async () => {
      const asked: string[][] = [];
      api.answer((url, res, body) => {
        asked.push(itemsOf(body).map((item) => item.target));
        const first = asked.length === 1;
        streaming((item) => ({
          id: item.id,
          kind: "dial",
          attempts: [item.target.endsWith("/yes-1") && first ? { ok: false, status: null, identity: null, error: "refused", latencyMs: 1 } : REACHED],
        }))(url, res, body);
      });
      const results = await run([podProbe("yes-1", { kind: "reach", endpoints: ENDPOINTS }), podProbe("yes-2", { kind: "reach", endpoints: ENDPOINTS })]);
      expect(results.map((r) => r.status)).toEqual(["pass", "pass"]);
      expect(asked).toEqual([["http://10.96.0.10/yes-1", "http://10.96.0.10/yes-2"], ["http://10.96.0.10/yes-1"]]);
    });
  });
});
