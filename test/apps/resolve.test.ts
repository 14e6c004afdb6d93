import { resolveName } from "../../apps/src/resolve";
import { startFakeDns } from "./fake-dns";
import { Cleanup, startTestProbe } from "./helpers";

describe("GET /resolve", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  /** Asks a probe whose DNS server is a loopback one that knows no names: NXDOMAIN for everything. */
  async function resolveFromProbe(query: string): Promise<any> {
    const dns = await startFakeDns(cleanup, {});
    const probe = await startTestProbe(cleanup, {}, [dns]);
    const answer = await probe.request(`/resolve?${query}`);
    expect(answer.status).toBe(200);
    return answer.json();
  }

  it("resolves localhost to 127.0.0.1 although DNS says no such name and only /etc/hosts knows it", async () => {
    expect(await resolveFromProbe("name=localhost")).toEqual({
      name: "localhost",
      type: "A",
      ok: true,
      records: expect.arrayContaining(["127.0.0.1"]),
    });
  });

  it("reports a name in the .invalid domain as NXDOMAIN", async () => {
    // Any working DNS server answers NXDOMAIN for the reserved .invalid domain
    // (RFC 6761), as the loopback one does here. Without a reachable DNS server the
    // kind would be "timeout" or "other" instead, because no server said "no such name".
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

describe("resolveName against a DNS server on loopback", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  const zone = {
    a: { "backend-headless.svclab.invalid": ["10.244.1.5", "10.244.2.7"] },
    aaaa: { "backend-headless.svclab.invalid": ["fd00:10:244:1:0:0:0:5", "fd00:10:244:2:0:0:0:7"] },
    cname: { "backend-external.svclab.invalid": "backend.svclab.svc.cluster.local" },
    srv: { "_http._tcp.backend.svclab.invalid": [{ name: "backend.svclab.invalid", port: 80, priority: 0, weight: 100 }] },
    silent: ["slow.svclab.invalid"],
  };

  it("returns every A record, as a headless Service has one per ready pod", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "backend-headless.svclab.invalid", type: "A", timeoutMs: 1500 }, [server]);
    expect(report).toEqual({ name: "backend-headless.svclab.invalid", type: "A", ok: true, records: ["10.244.1.5", "10.244.2.7"] });
  });

  it("returns every AAAA record, as a dual-stack headless Service has one per ready pod and family", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "backend-headless.svclab.invalid", type: "AAAA", timeoutMs: 1500 }, [server]);
    expect(report).toEqual({ name: "backend-headless.svclab.invalid", type: "AAAA", ok: true, records: ["fd00:10:244:1::5", "fd00:10:244:2::7"] });
  });

  it("returns the CNAME target, as an ExternalName Service answers", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "backend-external.svclab.invalid", type: "CNAME", timeoutMs: 1500 }, [server]);
    expect(report).toEqual({
      name: "backend-external.svclab.invalid",
      type: "CNAME",
      ok: true,
      records: ["backend.svclab.svc.cluster.local"],
    });
  });

  it("returns SRV records as {name, port, priority, weight}", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "_http._tcp.backend.svclab.invalid", type: "SRV", timeoutMs: 1500 }, [server]);
    expect(report).toEqual({
      name: "_http._tcp.backend.svclab.invalid",
      type: "SRV",
      ok: true,
      records: [{ name: "backend.svclab.invalid", port: 80, priority: 0, weight: 100 }],
    });
  });

  it("reports a name that exists without records of the type as nodata", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "backend-headless.svclab.invalid", type: "SRV", timeoutMs: 1500 }, [server]);
    expect(report).toMatchObject({ ok: false, error: "nodata", code: "ENODATA" });
  });

  it("gives up after timeoutMs when the DNS server never answers", async () => {
    const server = await startFakeDns(cleanup, zone);
    const report = await resolveName({ name: "slow.svclab.invalid", type: "CNAME", timeoutMs: 100 }, [server]);
    expect(report).toEqual({ name: "slow.svclab.invalid", type: "CNAME", ok: false, error: "timeout", code: "ETIMEOUT" });
  });
});
