/**
 * The stand-in's probe agents serve the app's `POST /dial` batch (its own
 * code, apps/src/dial-batch.ts, over the emulated data plane), reached through
 * the stand-in API's pods proxy exactly as the verifier reaches them.
 */
import * as http from "node:http";
import { buildWorld, type World } from "../support/standin";

jest.setTimeout(240000);

/** POSTs a batch through the fake API's pods proxy to `agent`; the body as lines (200) or as JSON. */
function postBatch(world: World, agent: string, body: unknown, probeToken: string | null = world.probeToken): Promise<{ status: number; lines: any[]; json: any }> {
  const text = JSON.stringify(body);
  const url = new URL(`${world.api.url}/api/v1/namespaces/svclab/pods/${agent}:3000/proxy/dial`);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      agent: false,
      headers: {
        authorization: `Bearer ${world.api.token}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        ...(probeToken === null ? {} : { "x-svclab-probe-token": probeToken }),
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const answer = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        resolve({
          status,
          lines: status === 200 ? answer.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : [],
          json: status === 200 ? undefined : JSON.parse(answer),
        });
      });
    });
    request.on("error", reject);
    request.end(text);
  });
}

describe("the stand-in probe agents' POST /dial", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test("a batch through the pods proxy streams a line per item, dialled and resolved in the emulated cluster", async () => {
    const agent = world.pods("probe")[1];
    const backend = world.service("backend");
    const { status, lines } = await postBatch(world, agent.name, {
      items: [
        { id: "cluster-ip", target: `http://${backend.clusterIP}:${world.servicePort}/`, count: 2, timeoutMs: 5000 },
        { id: "dns", kind: "resolve", name: "backend.svclab.svc.cluster.local" },
      ],
    });
    expect(status).toBe(200);
    const byId = new Map(lines.map((line) => [line.id ?? "done", line]));
    expect(byId.get("done")).toEqual({ done: true, items: 2 });
    const backendPods = world.pods("backend").map((p) => p.name);
    for (const attempt of byId.get("cluster-ip").attempts) {
      expect(attempt).toMatchObject({ ok: true, status: 200 });
      expect(backendPods).toContain(attempt.identity.pod);
      expect(attempt.identity.client.address).toBe(agent.podIP);
    }
    expect(byId.get("dns")).toMatchObject({ kind: "resolve", ok: true, records: [backend.clusterIP] });
  });

  test("it needs the probe token and validates like the app: 401 without it, 400 above the batch limit", async () => {
    const agent = world.pods("probe")[0];
    const item = { id: "x", target: `http://${world.service("backend").clusterIP}:${world.servicePort}/` };
    const refused = await postBatch(world, agent.name, { items: [item] }, null);
    expect(refused.status).toBe(401);
    expect(refused.json.error.header).toBe("x-svclab-probe-token");
    const tooMany = await postBatch(world, agent.name, { items: Array.from({ length: 1001 }, (_, i) => ({ ...item, id: String(i) })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toEqual({ parameter: "items", message: expect.stringContaining("allowed: at most 1000 items per POST /dial") });
  });
});
