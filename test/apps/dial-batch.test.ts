/**
 * `POST /dial`, the probe agent's batch endpoint, over real sockets on
 * loopback: items validated like the single GETs, results streamed as NDJSON
 * lines carrying each item's id, the token gate, and the agent's own bounds
 * on how many sockets it holds at once.
 */
import * as http from "node:http";
import * as net from "node:net";
import { BATCH_LIMITS } from "../../apps/src/dial-batch";
import { PROBE_TOKEN_HEADER } from "../../apps/src/probe-token";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startFakeDns } from "./fake-dns";
import { Cleanup, LOOPBACK, closedPort, fixedServer, request, startTestApp, startTestProbe, type TestProbe } from "./helpers";
import type { RunningApp } from "../../apps/src/server";

const PROBE = { POD_NAME: "probe-abc", NODE_NAME: "kind-worker" };

/** POSTs a batch and collects the NDJSON lines (or the error body); a TestProbe's own token goes along. */
async function postBatch(app: RunningApp | TestProbe, body: unknown, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; lines: any[]; text: string }> {
  const send = "request" in app ? app.request : (target: string, options: Parameters<typeof request>[2]) => request(app.port, target, options);
  const answer = await send("/dial", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const lines = answer.status === 200 ? answer.text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : [];
  return { status: answer.status, lines, text: answer.text };
}

/** A server that holds every request until `release()`, counting how many connections it has open at once. */
interface HeldServer {
  readonly port: number;
  /** Most requests open at the same time so far. */
  most(): number;
  /** Requests received so far. */
  seen(): number;
  /** From now on, answer everything (held requests at once). */
  release(): void;
  /** Resolves once `n` requests are held unanswered. */
  untilHeld(n: number): Promise<void>;
  /** Resolves once no request is open (every client went away or got its answer). */
  untilIdle(): Promise<void>;
}

async function heldServer(cleanup: Cleanup): Promise<HeldServer> {
  const waiting = new Set<http.ServerResponse>();
  let released = false;
  let open = 0;
  let most = 0;
  let seen = 0;
  const watchers = new Set<() => void>();
  const changed = (): void => watchers.forEach((watch) => watch());
  const until = (done: () => boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      const watch = (): void => {
        if (!done()) return;
        watchers.delete(watch);
        resolve();
      };
      watchers.add(watch);
      watch();
    });
  const answer = (response: http.ServerResponse): void => {
    waiting.delete(response);
    response.end(JSON.stringify({ role: "backend", pod: "held", podIP: "127.0.0.1", listenPort: 1 }));
  };
  const port = await fixedServer(cleanup, (_request, response) => {
    seen += 1;
    open += 1;
    most = Math.max(most, open);
    response.on("close", () => {
      open -= 1;
      waiting.delete(response);
      changed();
    });
    if (released) answer(response);
    else waiting.add(response);
    changed();
  });
  return {
    port,
    most: () => most,
    seen: () => seen,
    release: () => {
      released = true;
      for (const response of [...waiting]) answer(response);
    },
    untilHeld: (n) => until(() => waiting.size >= n),
    untilIdle: () => until(() => open === 0),
  };
}

describe("POST /dial (a batch of dials and lookups)", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  test("answers one NDJSON line per item, carrying its id and what the single GET would have answered, then a done line", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-1" });
    const refused = await closedPort();
    const dns = await startFakeDns(cleanup, { a: { "backend.svclab.invalid": ["10.96.0.7"] } });
    const probe = await startTestProbe(cleanup, PROBE, [dns]);
    const { status, lines } = await postBatch(probe, {
      items: [
        { id: "yes", target: `http://${LOOPBACK}:${backend.port}/`, count: 2 },
        { id: "no", target: `http://${LOOPBACK}:${refused}/`, expectNo: true, timeoutMs: 400 },
        { id: "dns", kind: "resolve", name: "backend.svclab.invalid" },
      ],
    });
    expect(status).toBe(200);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual({ done: true, items: 3 });
    const byId = new Map(lines.slice(0, 3).map((line) => [line.id, line]));
    expect(byId.get("yes")).toMatchObject({ kind: "dial", target: `http://${LOOPBACK}:${backend.port}/`, count: 2, timeoutMs: 1500 });
    expect(byId.get("yes").attempts.map((a: any) => [a.ok, a.identity?.pod])).toEqual([[true, "backend-1"], [true, "backend-1"]]);
    expect(byId.get("no")).toMatchObject({ kind: "dial", count: 1, timeoutMs: 400, attempts: [{ ok: false, error: "refused" }] });
    expect(byId.get("dns")).toEqual({ id: "dns", kind: "resolve", name: "backend.svclab.invalid", type: "A", ok: true, records: ["10.96.0.7"] });
  });

  test("streams each result as it finishes: a quick item's line arrives while a slow one still waits", async () => {
    const held = await heldServer(cleanup);
    const backend = await startTestApp(cleanup, { ROLE: "backend" });
    const probe = await startTestProbe(cleanup, PROBE);
    const received: any[] = [];
    let ended = false;
    let firstLine: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstLine = resolve));
    const done = new Promise<void>((resolve, reject) => {
      const outgoing = http.request({ host: LOOPBACK, port: probe.port, path: "/dial", method: "POST", agent: false, headers: { [PROBE_TOKEN_HEADER]: probe.token.token } }, (response) => {
        let buffer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffer += chunk;
          for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
            received.push(JSON.parse(buffer.slice(0, at)));
            buffer = buffer.slice(at + 1);
            firstLine();
          }
        });
        response.on("end", () => {
          ended = true;
          resolve();
        });
        response.on("error", reject);
      });
      outgoing.on("error", reject);
      outgoing.end(JSON.stringify({
        items: [
          { id: "slow", target: `http://${LOOPBACK}:${held.port}/`, timeoutMs: 10000 },
          { id: "quick", target: `http://${LOOPBACK}:${backend.port}/` },
        ],
      }));
    });
    await first;
    await held.untilHeld(1);
    expect(received.map((line) => line.id)).toEqual(["quick"]);
    expect(ended).toBe(false);
    held.release();
    await done;
    expect(received.map((line) => line.id ?? "done")).toEqual(["quick", "slow", "done"]);
    expect(received[1].attempts[0]).toMatchObject({ ok: true, status: 200 });
  }, 30000);

  test("every item is validated like the single GET: the same message, the parameter named items[<i>].<field>, and nothing is sent", async () => {
    let hits = 0;
    const target = await fixedServer(cleanup, (_request, response) => {
      hits += 1;
      response.end("{}");
    });
    const probe = await startTestProbe(cleanup, PROBE);
    const good = { id: "good", target: `http://${LOOPBACK}:${target}/` };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ id: "a" }, "/dial", "target"],
      [{ id: "a", target: "" }, "/dial?target=", "target"],
      [{ id: "a", target: "http://bad host/" }, "/dial?target=http://bad%20host/", "target"],
      [{ id: "a", target: "ftp://127.0.0.1/" }, "/dial?target=ftp://127.0.0.1/", "target"],
      [{ id: "a", target: "http://127.0.0.1:1/", count: 0 }, "/dial?target=http://127.0.0.1:1/&count=0", "count"],
      [{ id: "a", target: "http://127.0.0.1:1/", count: 101 }, "/dial?target=http://127.0.0.1:1/&count=101", "count"],
      [{ id: "a", target: "http://127.0.0.1:1/", count: 1.5 }, "/dial?target=http://127.0.0.1:1/&count=1.5", "count"],
      [{ id: "a", target: "http://127.0.0.1:1/", timeoutMs: 10001 }, "/dial?target=http://127.0.0.1:1/&timeoutMs=10001", "timeoutMs"],
      [{ id: "a", kind: "resolve" }, "/resolve", "name"],
      [{ id: "a", kind: "resolve", name: "not a name" }, "/resolve?name=not%20a%20name", "name"],
      [{ id: "a", kind: "resolve", name: "localhost", type: "MX" }, "/resolve?name=localhost&type=MX", "type"],
    ];
    for (const [item, single, parameter] of cases) {
      const expected = (await probe.request(single)).json().error.message;
      const answer = await postBatch(probe, { items: [good, item] });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: { parameter: `items[1].${parameter}`, message: expected } });
    }
    expect(hits).toBe(0);
  });

  test.each([
    ["not JSON", "dial everything", "body", "the body is not JSON"],
    ["no items", { targets: [] }, "items", "items is missing or empty"],
    ["an empty batch", { items: [] }, "items", "items is missing or empty"],
    ["an item that is not an object", { items: ["http://127.0.0.1:1/"] }, "items[0]", "items[0] is not an object"],
    ["an item without an id", { items: [{ target: "http://127.0.0.1:1/" }] }, "items[0].id", "id is missing; allowed: a string of 1 to 128 characters"],
    ["two items with one id", { items: [{ id: "x", target: "http://127.0.0.1:1/" }, { id: "x", target: "http://127.0.0.1:2/" }] }, "items[1].id", 'id "x" is used by an earlier item'],
    ["an unknown kind", { items: [{ id: "x", kind: "ping" }] }, "items[0].kind", 'kind is "ping"; allowed: dial, resolve'],
    ["an unknown field", { items: [{ id: "x", target: "http://127.0.0.1:1/", tagret: 1 }] }, "items[0].tagret", 'has the field "tagret"; allowed for kind dial: id, kind, target, count, timeoutMs, expectNo'],
    ["expectNo not a boolean", { items: [{ id: "x", target: "http://127.0.0.1:1/", expectNo: "yes" }] }, "items[0].expectNo", 'expectNo is "yes"; allowed: true or false'],
  ])("%s → 400 naming the field at fault", async (_what, body, parameter, text) => {
    const probe = await startTestProbe(cleanup, PROBE);
    const answer = await postBatch(probe, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toEqual({ parameter, message: expect.stringContaining(text) });
  });

  test(`a batch above ${BATCH_LIMITS.maxItems} items is refused with 400 naming the limit, and nothing is sent`, async () => {
    let hits = 0;
    const target = await fixedServer(cleanup, (_request, response) => {
      hits += 1;
      response.end("{}");
    });
    const probe = await startTestProbe(cleanup, PROBE);
    const items = Array.from({ length: BATCH_LIMITS.maxItems + 1 }, (_, i) => ({ id: String(i), target: `http://${LOOPBACK}:${target}/` }));
    const answer = await postBatch(probe, { items });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toEqual({
      parameter: "items",
      message: `the batch has ${BATCH_LIMITS.maxItems + 1} items; allowed: at most ${BATCH_LIMITS.maxItems} items per POST /dial (send the rest in another request)`,
    });
    const body = await postBatch(probe, { items: [{ id: "x", target: `http://${LOOPBACK}:${target}/`, pad: "x".repeat(BATCH_LIMITS.maxBodyBytes) }] });
    expect(JSON.parse(body.text).error).toEqual({ parameter: "body", message: expect.stringContaining(`larger than ${BATCH_LIMITS.maxBodyBytes} bytes`) });
    expect(hits).toBe(0);
  });

  test("without the probe token a batch gets 401 and nothing is sent; with it, it runs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "svclab-batch-token-"));
    cleanup.add(async () => rmSync(dir, { recursive: true, force: true }));
    const tokenFile = path.join(dir, "token");
    const token = "batch-token-of-the-lab-0123456789";
    writeFileSync(tokenFile, token);
    let hits = 0;
    const target = await fixedServer(cleanup, (_request, response) => {
      hits += 1;
      response.end("{}");
    });
    const probe = await startTestApp(cleanup, { ...PROBE, ROLE: "probe", PROBE_TOKEN_FILE: tokenFile });
    const body = { items: [{ id: "x", target: `http://${LOOPBACK}:${target}/` }] };
    for (const headers of [{}, { [PROBE_TOKEN_HEADER]: "not-the-token" }]) {
      const answer = await postBatch(probe, body, headers);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error.header).toBe(PROBE_TOKEN_HEADER);
    }
    expect(hits).toBe(0);
    const allowed = await postBatch(probe, body, { [PROBE_TOKEN_HEADER]: token });
    expect(allowed.status).toBe(200);
    expect(allowed.lines.map((line) => line.id ?? "done")).toEqual(["x", "done"]);
    expect(hits).toBe(1);
  });

  test("other roles do not serve it", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend" });
    expect((await postBatch(backend, { items: [{ id: "x", target: "http://127.0.0.1:1/" }] })).status).toBe(404);
  });

  test(`work items run ${BATCH_LIMITS.workSlots} at a time per agent, however many requests carry them`, async () => {
    const held = await heldServer(cleanup);
    const probe = await startTestProbe(cleanup, PROBE);
    const batch = (prefix: string) => ({ items: Array.from({ length: 25 }, (_, i) => ({ id: `${prefix}${i}`, target: `http://${LOOPBACK}:${held.port}/`, timeoutMs: 10000 })) });
    const runs = [postBatch(probe, batch("a")), postBatch(probe, batch("b"))];
    await held.untilHeld(BATCH_LIMITS.workSlots);
    held.release();
    const answers = await Promise.all(runs);
    expect(answers.map((a) => a.lines.filter((l) => l.kind === "dial" && l.attempts[0].ok).length)).toEqual([25, 25]);
    expect(held.seen()).toBe(50);
    expect(held.most()).toBe(BATCH_LIMITS.workSlots);
  }, 60000);

  test(`expected-"no" items wait in their own ${BATCH_LIMITS.waitSlots} slots: they all wait at once, and work still runs beside them`, async () => {
    const silent = await heldServer(cleanup);
    const backend = await startTestApp(cleanup, { ROLE: "backend" });
    const probe = await startTestProbe(cleanup, PROBE);
    const waits = Array.from({ length: BATCH_LIMITS.waitSlots + 10 }, (_, i) => ({ id: `no${i}`, target: `http://${LOOPBACK}:${silent.port}/`, expectNo: true, timeoutMs: 10000 }));
    const work = Array.from({ length: 5 }, (_, i) => ({ id: `yes${i}`, target: `http://${LOOPBACK}:${backend.port}/` }));
    const run = postBatch(probe, { items: [...waits, ...work] });
    await silent.untilHeld(BATCH_LIMITS.waitSlots);
    // Every wait slot is taken, yet a work-carrying dial is answered before any wait ends (they end only on release).
    const beside = await probe.request(`/dial?target=${encodeURIComponent(`http://${LOOPBACK}:${backend.port}/`)}`);
    expect(beside.json().attempts[0]).toMatchObject({ ok: true });
    silent.release();
    const { lines } = await run;
    expect(lines.filter((l) => l.id?.startsWith("yes") && l.attempts[0].ok)).toHaveLength(5);
    expect(lines.filter((l) => l.id?.startsWith("no"))).toHaveLength(BATCH_LIMITS.waitSlots + 10);
    expect(silent.most()).toBe(BATCH_LIMITS.waitSlots);
  }, 60000);

  test("a caller that hangs up stops the batch: items not yet started are never sent", async () => {
    const held = await heldServer(cleanup);
    const probe = await startTestProbe(cleanup, PROBE);
    const items = Array.from({ length: BATCH_LIMITS.workSlots + 20 }, (_, i) => ({ id: String(i), target: `http://${LOOPBACK}:${held.port}/`, timeoutMs: 10000 }));
    const socket = net.connect(probe.port, LOOPBACK);
    socket.on("error", () => undefined);
    const body = JSON.stringify({ items });
    socket.write(`POST /dial HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${PROBE_TOKEN_HEADER}: ${probe.token.token}\r\n\r\n${body}`);
    await held.untilHeld(BATCH_LIMITS.workSlots);
    socket.destroy();
    // The agent cancels the dials it holds (their connections close) and drops the items still waiting.
    await held.untilIdle();
    held.release();
    const after = await postBatch(probe, { items: [{ id: "after", target: `http://${LOOPBACK}:${held.port}/` }] });
    expect(after.lines[0]).toMatchObject({ id: "after", attempts: [{ ok: true }] });
    expect(held.seen()).toBe(BATCH_LIMITS.workSlots + 1);
  }, 60000);
});
