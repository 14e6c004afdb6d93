import { Cleanup, request, startTestApp } from "./helpers";

describe("/readyz", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("starts ready", async () => {
    const app = await startTestApp(cleanup, { ROLE: "backend" });
    const answer = await request(app.port, "/readyz");
    expect([answer.status, answer.json()]).toEqual([200, { ready: true }]);
  });

  it("switches off and on again by POST, while liveness stays ok", async () => {
    const app = await startTestApp(cleanup, { ROLE: "backend" });
    const off = await request(app.port, "/readyz", { method: "POST", body: '{"ready": false}' });
    const whileOff = await request(app.port, "/readyz");
    const liveWhileOff = await request(app.port, "/healthz");
    const on = await request(app.port, "/readyz", { method: "POST", body: '{"ready": true}' });
    const whileOn = await request(app.port, "/readyz");
    expect([off.status, off.json()]).toEqual([503, { ready: false }]);
    expect([whileOff.status, whileOff.json()]).toEqual([503, { ready: false }]);
    expect(liveWhileOff.status).toBe(200);
    expect([on.status, on.json()]).toEqual([200, { ready: true }]);
    expect([whileOn.status, whileOn.json()]).toEqual([200, { ready: true }]);
  });

  it("keeps serving GET / while not ready, so a pod out of the endpoints can still be reached by its IP", async () => {
    const app = await startTestApp(cleanup, { ROLE: "backend" });
    await request(app.port, "/readyz", { method: "POST", body: '{"ready": false}' });
    expect((await request(app.port, "/")).status).toBe(200);
  });
});
