import { Cleanup, startTestProbe, type TestProbe } from "./helpers";

/** [what is wrong, request path, the parameter the answer must name, text the message must contain]. */
const BAD_QUERIES: readonly [string, string, string, string][] = [
  ["no target", "/dial", "target", "target is missing"],
  ["an empty target", "/dial?target=", "target", "target is missing"],
  ["a target that is not a URL", "/dial?target=http://bad%20host/", "target", 'target "http://bad host/" is not a URL'],
  ["a relative target", "/dial?target=/healthz", "target", "is not a URL"],
  ["an ftp target", "/dial?target=ftp://127.0.0.1/", "target", 'target has the scheme "ftp"'],
  ["a file target", "/dial?target=file:///etc/passwd", "target", 'target has the scheme "file"'],
  ["count 0", "/dial?target=http://127.0.0.1:1/&count=0", "count", 'count is "0"; allowed: an integer from 1 to 100'],
  ["count 101", "/dial?target=http://127.0.0.1:1/&count=101", "count", "from 1 to 100"],
  ["count not a number", "/dial?target=http://127.0.0.1:1/&count=many", "count", 'count is "many"'],
  ["count not an integer", "/dial?target=http://127.0.0.1:1/&count=1.5", "count", 'count is "1.5"'],
  ["timeoutMs 49", "/dial?target=http://127.0.0.1:1/&timeoutMs=49", "timeoutMs", 'timeoutMs is "49"; allowed: an integer from 50 to 10000'],
  ["timeoutMs 10001", "/dial?target=http://127.0.0.1:1/&timeoutMs=10001", "timeoutMs", "from 50 to 10000"],
  ["a negative timeoutMs", "/dial?target=http://127.0.0.1:1/&timeoutMs=-1", "timeoutMs", 'timeoutMs is "-1"'],
  ["no name", "/resolve", "name", "name is missing"],
  ["a name with spaces", "/resolve?name=not%20a%20name", "name", 'name "not a name" is not a DNS name'],
  ["a name too long", `/resolve?name=${Array(5).fill("a".repeat(60)).join(".")}`, "name", "at most 253 characters"],
  ["an unknown record type", "/resolve?name=localhost&type=MX", "type", 'type is "MX"; allowed: A, AAAA, CNAME, SRV'],
  ["a resolve timeoutMs out of range", "/resolve?name=localhost&timeoutMs=0", "timeoutMs", "from 50 to 10000"],
];

/** [what is wrong, POST /readyz body, text the message must contain]. */
const BAD_READINESS_BODIES: readonly [string, string, string][] = [
  ["not JSON", "off", "the body is not JSON"],
  ["ready as a string", '{"ready":"false"}', '"ready" is "false"'],
  ["no ready field", '{"state":false}', '"ready" is missing'],
  ["a body over 1 KiB", JSON.stringify({ ready: false, padding: "x".repeat(2000) }), "larger than 1024 bytes"],
];

describe("bad input", () => {
  const cleanup = new Cleanup();
  let probe: TestProbe;
  beforeAll(async () => {
    probe = await startTestProbe(cleanup);
  });
  afterAll(() => cleanup.run());

  it.each(BAD_QUERIES)("%s → 400 naming the parameter and what is allowed", async (_what, path, parameter, text) => {
    const answer = await probe.request(path);
    expect(answer.status).toBe(400);
    expect(answer.json().error.parameter).toBe(parameter);
    expect(answer.json().error.message).toContain(text);
    expect(answer.json().error.message).toContain("allowed:");
  });

  it.each(BAD_READINESS_BODIES)("POST /readyz with %s → 400 naming ready, readiness unchanged", async (_what, body, text) => {
    const answer = await probe.request("/readyz", { method: "POST", body });
    expect(answer.status).toBe(400);
    expect(answer.json().error).toEqual({
      parameter: "ready",
      message: expect.stringContaining(text),
    });
    expect(answer.json().error.message).toContain('allowed: the JSON body {"ready": true} or {"ready": false}');
    expect((await probe.request("/readyz")).status).toBe(200);
  });
});
