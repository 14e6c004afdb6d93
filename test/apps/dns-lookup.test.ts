import type { LookupAddress, LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { lookupVia } from "../../apps/src/dns-lookup";
import { startFakeDns } from "./fake-dns";
import { Cleanup } from "./helpers";

/** What a lookup called the way net.connect calls it answers: the address(es), or the error. */
type Answered = { address: string | LookupAddress[]; family?: number };

function ask(lookup: LookupFunction, hostname: string, options: LookupOptions): Promise<Answered> {
  return new Promise((resolve, reject) =>
    lookup(hostname, options, (error, address, family) => (error === null ? resolve({ address, family }) : reject(error))),
  );
}

describe("lookupVia", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  const zone = { a: { "backend.svclab.invalid": ["127.0.0.2", "127.0.0.3"] } };

  it("answers one address and its family, as net.connect asks by default", async () => {
    const lookup = lookupVia([await startFakeDns(cleanup, zone)]);
    expect(await ask(lookup, "backend.svclab.invalid", {})).toEqual({ address: "127.0.0.2", family: 4 });
  });

  it("answers every address with all: true, as autoSelectFamily asks", async () => {
    const lookup = lookupVia([await startFakeDns(cleanup, zone)]);
    expect(await ask(lookup, "backend.svclab.invalid", { all: true })).toEqual({
      address: [
        { address: "127.0.0.2", family: 4 },
        { address: "127.0.0.3", family: 4 },
      ],
      family: undefined,
    });
  });

  it("answers an IP literal as itself without asking DNS", async () => {
    // The server never answers, so an answer proves DNS was not asked.
    const lookup = lookupVia([await startFakeDns(cleanup, { silent: ["127.0.0.9"] })]);
    expect(await ask(lookup, "127.0.0.9", {})).toEqual({ address: "127.0.0.9", family: 4 });
    expect(await ask(lookup, "::1", { all: true })).toEqual({ address: [{ address: "::1", family: 6 }], family: undefined });
  });

  it("answers localhost with the loopback address without asking DNS", async () => {
    const lookup = lookupVia([await startFakeDns(cleanup, { silent: ["localhost"] })]);
    expect(await ask(lookup, "localhost", { family: 4 })).toEqual({ address: "127.0.0.1", family: 4 });
  });

  it("fails an unknown name with ENOTFOUND, as getaddrinfo does", async () => {
    const lookup = lookupVia([await startFakeDns(cleanup, zone)]);
    await expect(ask(lookup, "svclab-no-such-host.invalid", {})).rejects.toMatchObject({
      code: "ENOTFOUND",
      hostname: "svclab-no-such-host.invalid",
    });
  });

  it("refuses an empty server list", () => {
    expect(() => lookupVia([])).toThrow("dnsServers is empty; allowed: at least one address such as 127.0.0.1:5353");
  });
});
