import { Cleanup, request, startTestApp, startTestProbe } from "./helpers";

const ENV = {
  ROLE: "backend",
  POD_NAME: "backend-7d9f-abcde",
  POD_NAMESPACE: "svclab",
  NODE_NAME: "kind-worker2",
  POD_IP: "10.244.2.7",
  APP_VERSION: "1.2.3",
};

describe("GET / identity", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("reports role, pod, namespace, node, pod IP, version and the port it is bound to", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(answer.json()).toMatchObject({
      role: "backend",
      pod: "backend-7d9f-abcde",
      namespace: "svclab",
      node: "kind-worker2",
      podIP: "10.244.2.7",
      listenPort: app.port,
      version: "1.2.3",
    });
    expect(Number.isNaN(Date.parse(answer.json().startedAt))).toBe(false);
  });

  it("reports the caller's address and port as its socket saw them", async () => {
    const app = await startTestApp(cleanup, ENV);
    const { client } = (await request(app.port, "/")).json();
    expect(client.address).toBe("127.0.0.1");
    expect(client.port).toBeGreaterThan(0);
    expect(client.port).not.toBe(app.port);
    expect(client.forwardedFor).toBeNull();
  });

  it("reports X-Forwarded-For as the caller sent it", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/", { headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });
    expect(answer.json().client.forwardedFor).toBe("203.0.113.9, 10.0.0.1");
  });

  it("counts identity answers up from 1, not counting health checks", async () => {
    const app = await startTestApp(cleanup, ENV);
    const first = (await request(app.port, "/")).json().served;
    await request(app.port, "/healthz");
    await request(app.port, "/readyz");
    const second = (await request(app.port, "/")).json().served;
    expect([first, second]).toEqual([1, 2]);
  });

  it("falls back to the documented defaults when the Downward API variables are absent", async () => {
    const app = await startTestApp(cleanup, { ROLE: "backend" });
    expect((await request(app.port, "/")).json()).toMatchObject({
      namespace: "unknown",
      node: "unknown",
      podIP: "unknown",
      version: "dev",
    });
  });
});

describe("GET / for a browser", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("answers Accept: text/html with a page naming the pod and the node", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/", { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.text).toContain("<code>backend-7d9f-abcde</code> on node <code>kind-worker2</code>");
  });

  it("says in one sentence each who answered, why the client address is what it is, what reloading and sticky sessions show", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/", { headers: { accept: "text/html" } });
    const lessons = [...answer.text.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => (m[1] as string).replace(/<[^>]+>/g, ""));
    expect(lessons).toHaveLength(4);
    expect(lessons[0]).toBe("The Service sent your connection to one of its ready pods: this time pod backend-7d9f-abcde, running on node kind-worker2.");
    expect(lessons[1]).toMatch(/^The pod saw the client as 127\.0\.0\.1: after a NodePort or LoadBalancer hop .*\(SNAT\).*externalTrafficPolicy: Local.* your own address\.$/);
    expect(lessons[2]).toMatch(/randomly picked ready pod/);
    expect(lessons[3]).toMatch(/^With sessionAffinity: ClientIP .* same pod/);
    // The page stays tiny: one small document, nothing else to fetch.
    expect(Buffer.byteLength(answer.text)).toBeLessThan(4096);
    expect(answer.text).not.toMatch(/\s(src|href)=/);
  });

  it("escapes a hostile pod name and X-Forwarded-For instead of rendering them", async () => {
    const app = await startTestApp(cleanup, { ...ENV, POD_NAME: `<script>alert("x")</script>` });
    const answer = await request(app.port, "/", {
      headers: { accept: "text/html", "x-forwarded-for": "<img src=x onerror=alert(1)>" },
    });
    expect(answer.text).not.toContain("<script>");
    expect(answer.text).not.toContain("<img");
    expect(answer.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(answer.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});

describe("routing", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("answers /healthz with ok", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/healthz");
    expect([answer.status, answer.json()]).toEqual([200, { ok: true }]);
  });

  it("answers an unknown path with 404 JSON listing the paths that exist", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/nope");
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({
      error: { path: "/nope", message: "no such path; available: /, /healthz, /readyz" },
    });
  });

  it("does not serve /dial or /resolve unless the role is probe", async () => {
    const app = await startTestApp(cleanup, ENV);
    const dial = await request(app.port, "/dial?target=http://127.0.0.1:1/");
    const resolve = await request(app.port, "/resolve?name=localhost");
    expect([dial.status, resolve.status]).toEqual([404, 404]);
    expect(dial.json().error.message).toContain("/dial is served by ROLE=probe only; this instance is backend");
  });

  it("answers a method a path does not allow with 405 and an Allow header", async () => {
    const app = await startTestApp(cleanup, ENV);
    const answer = await request(app.port, "/", { method: "DELETE" });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("GET");
    expect(answer.json().error.method).toBe("DELETE");
  });
});

describe("odd request targets", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it.each(["/dial/..", "//healthz", "/healthz/", "*"])("answers %s with 404, not a crash", async (target) => {
    const app = await startTestProbe(cleanup);
    const answer = await app.request(target);
    expect(answer.status).toBe(404);
    expect(answer.json().error.path).toBe(target);
    expect((await request(app.port, "/healthz")).status).toBe(200);
  });
});
