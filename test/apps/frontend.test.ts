import { Cleanup, closedPort, request, startTestApp } from "./helpers";

describe("frontend → backend chaining", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("includes the identity of the backend it called", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-1", NODE_NAME: "kind-worker" });
    const frontend = await startTestApp(cleanup, {
      ROLE: "frontend",
      POD_NAME: "frontend-1",
      NODE_NAME: "kind-worker2",
      BACKEND_URL: `http://127.0.0.1:${backend.port}`,
    });
    const answer = (await request(frontend.port, "/")).json();
    expect(answer).toMatchObject({ role: "frontend", pod: "frontend-1", node: "kind-worker2" });
    expect(answer.backend).toMatchObject({ role: "backend", pod: "backend-1", node: "kind-worker", listenPort: backend.port });
    // The backend saw the frontend's connection, not the test's.
    expect(answer.backend.client.address).toBe("127.0.0.1");
  });

  it("shows the backend's pod on the browser page", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-1", NODE_NAME: "kind-worker" });
    const frontend = await startTestApp(cleanup, { ROLE: "frontend", BACKEND_URL: `http://127.0.0.1:${backend.port}` });
    const page = (await request(frontend.port, "/", { headers: { accept: "text/html" } })).text;
    expect(page).toContain("The backend pod <code>backend-1</code> on node <code>kind-worker</code> answered");
  });

  it("still answers 200 with a clear error object when the backend is down", async () => {
    const port = await closedPort();
    const frontend = await startTestApp(cleanup, { ROLE: "frontend", BACKEND_URL: `http://127.0.0.1:${port}/` });
    const answer = await request(frontend.port, "/");
    expect(answer.status).toBe(200);
    expect(answer.json().backend).toEqual({
      error: { kind: "refused", message: `http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}` },
    });
  });

  it("reports a backend that answers something other than an identity", async () => {
    const notWorkload = await startTestApp(cleanup, { ROLE: "backend" });
    const frontend = await startTestApp(cleanup, {
      ROLE: "frontend",
      BACKEND_URL: `http://127.0.0.1:${notWorkload.port}/healthz`,
    });
    const { backend } = (await request(frontend.port, "/")).json();
    expect(backend.error.kind).toBe("other");
    expect(backend.error.message).toContain("answered HTTP 200 but not with a workload identity");
  });

  it("names the backend error on the browser page", async () => {
    const port = await closedPort();
    const frontend = await startTestApp(cleanup, { ROLE: "frontend", BACKEND_URL: `http://127.0.0.1:${port}/` });
    const page = (await request(frontend.port, "/", { headers: { accept: "text/html" } })).text;
    expect(page).toContain("The backend did not answer");
    expect(page).toContain(`refused: http://127.0.0.1:${port}/: connect ECONNREFUSED`);
  });
});

describe("GET /?backend=skip (how the verifier asks)", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("answers the frontend's own identity without calling the backend", async () => {
    const backend = await startTestApp(cleanup, { ROLE: "backend", POD_NAME: "backend-1" });
    const frontend = await startTestApp(cleanup, { ROLE: "frontend", POD_NAME: "frontend-1", BACKEND_URL: `http://127.0.0.1:${backend.port}/` });
    const answer = await request(frontend.port, "/?backend=skip");
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ role: "frontend", pod: "frontend-1", served: 1 });
    expect(answer.json()).not.toHaveProperty("backend");
    // The backend was never asked: its first identity answer is still its first.
    expect((await request(backend.port, "/")).json().served).toBe(1);
    // Without the parameter (or with the default spelled out) the frontend still calls it.
    expect((await request(frontend.port, "/?backend=call")).json().backend).toMatchObject({ pod: "backend-1", served: 2 });
  });

  it("answers at once while the backend is down, with no backend error in it", async () => {
    const port = await closedPort();
    const frontend = await startTestApp(cleanup, { ROLE: "frontend", BACKEND_URL: `http://127.0.0.1:${port}/` });
    const answer = await request(frontend.port, "/?backend=skip");
    expect(answer.status).toBe(200);
    expect(answer.json()).not.toHaveProperty("backend");
  });

  it.each(["frontend", "backend"])("refuses another value with 400 naming backend and what is allowed (ROLE=%s)", async (role) => {
    const app = await startTestApp(cleanup, { ROLE: role, BACKEND_URL: "http://127.0.0.1:1/" });
    const answer = await request(app.port, "/?backend=maybe");
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({
      error: { parameter: "backend", message: 'backend is "maybe"; allowed: call (the default: a frontend includes its backend\'s answer) or skip (this pod\'s identity only)' },
    });
  });
});
