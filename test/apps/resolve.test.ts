import { Cleanup, request, startTestApp } from "./helpers";

describe("GET /resolve", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function resolveFromProbe(query: string): Promise<any> {
    const probe = await startTestApp(cleanup, { ROLE: "probe" });
    const answer = await request(probe.port, `/resolve?${query}`);
    expect(answer.status).toBe(200);
    return answer.json();
  }

  it("resolves localhost to 127.0.0.1 although only /etc/hosts knows it", async () => {
    expect(await resolveFromProbe("name=localhost")).toEqual({
      name: "localhost",
      type: "A",
      ok: true,
      records: expect.arrayContaining(["127.0.0.1"]),
    });
  });

  it("reports a name in the .invalid domain as NXDOMAIN", async () => {
    // This machine's /etc/resolv.conf names a DNS server, which answers NXDOMAIN
    // for the reserved .invalid domain (RFC 6761) — what a user on any machine or
    // pod with working DNS sees. Without any reachable DNS server the kind would be
    // "timeout" or "other" instead, because then no server said "no such name".
    expect(await resolveFromProbe("name=svclab-no-such-host.invalid")).toEqual({
      name: "svclab-no-such-host.invalid",
      type: "A",
      ok: false,
      error: "nxdomain",
      code: "ENOTFOUND",
    });
  });

  it("asks DNS only for CNAME and SRV, so a hosts-file name has no such records", async () => {
    const cname = await resolveFromProbe("name=localhost&type=CNAME");
    const srv = await resolveFromProbe("name=_http._tcp.localhost&type=srv");
    expect([cname.type, cname.ok]).toEqual(["CNAME", false]);
    expect([srv.type, srv.ok]).toEqual(["SRV", false]);
  });
});
