/**
 * The jest-wide network guard (test/support/network-guard.ts, loaded through
 * jest.config.js `setupFiles`). Refused attempts below never leave the process:
 * the guard throws before the original function runs, which the socket state
 * after each refusal shows (no TCP handle, no bound UDP port).
 */
import dgram from "node:dgram";
import dns from "node:dns";
import http from "node:http";
import net from "node:net";
import { startFakeDns } from "./apps/fake-dns";
import { Cleanup, fixedServer } from "./apps/helpers";
import { allowWorldAddresses, isAllowedAddress, muteRefusalLog } from "./support/network-guard";

const GUARD = /^network guard: a test tried to .*; tests may only reach loopback \(127\.0\.0\.0\/8\)$/;

describe("the network guard's log", () => {
  it("writes each refusal to stderr, where a refusal turned into a result is still seen", () => {
    const written = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(() => dns.lookup("stderr.example.invalid", () => undefined)).toThrow(GUARD);
      expect(written).toHaveBeenCalledWith(expect.stringContaining("network guard: a test tried to look up stderr.example.invalid"));
    } finally {
      written.mockRestore();
    }
  });
});

describe("the network guard", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());
  // The refusals below are deliberate; their stderr lines would only be noise.
  let unmute: () => void = () => undefined;
  beforeAll(() => (unmute = muteRefusalLog()));
  afterAll(() => unmute());

  it("refuses a TCP connection to an address outside loopback before opening a socket", () => {
    const socket = new net.Socket();
    expect(() => socket.connect(80, "10.0.0.1")).toThrow("network guard: a test tried to connect to 10.0.0.1:80");
    expect(() => net.connect({ host: "10.0.0.1", port: 80 })).toThrow(GUARD);
    expect(socket.connecting).toBe(false);
    expect((socket as unknown as { _handle: unknown })._handle ?? null).toBeNull();
    socket.destroy();
  });

  it("refuses an HTTP request to a name only the system resolver could find", () => {
    expect(() => http.get("http://example.invalid/")).toThrow(
      "network guard: a test tried to connect to example.invalid:80 through the system resolver",
    );
  });

  it("refuses a host name whose own lookup answers an address outside loopback", async () => {
    const outside: net.LookupFunction = (_hostname, _options, callback) => callback(null, "192.0.2.1", 4);
    const socket = net.connect({ host: "backend.svclab.invalid", port: 80, lookup: outside, autoSelectFamily: false });
    const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
    socket.destroy();
    expect(error.message).toMatch(GUARD);
    expect(error.message).toContain("its lookup answered 192.0.2.1");
  });

  it("refuses a UDP datagram to an address outside loopback before binding a port", () => {
    const socket = dgram.createSocket("udp4");
    expect(() => socket.send(Buffer.from("x"), 53, "192.0.2.1")).toThrow(
      "network guard: a test tried to send a UDP datagram to 192.0.2.1:53",
    );
    expect(() => socket.send(Buffer.from("xy"), 0, 1, 53, "192.0.2.1")).toThrow(GUARD);
    // Still unbound: the guard threw before dgram could bind a port for the send.
    expect(() => socket.address()).toThrow("getsockname EBADF");
    socket.close();
  });

  it("refuses DNS queries to a server outside loopback, by Resolver or module function", async () => {
    const resolver = new dns.Resolver();
    resolver.setServers(["10.255.255.53"]);
    expect(() => resolver.resolve4("example.invalid", () => undefined)).toThrow(
      "network guard: a test tried to ask the DNS server(s) 10.255.255.53 (resolve4 example.invalid)",
    );
    const promised = new dns.promises.Resolver();
    promised.setServers(["127.0.0.1", "[2001:db8::53]:53"]);
    await expect(promised.resolveSrv("_http._tcp.example.invalid")).rejects.toThrow("ask the DNS server(s) 2001:db8::53 (resolveSrv");
    const systemServersOutside = dns.getServers().some((server) => !server.startsWith("127.") && server !== "::1");
    if (systemServersOutside) {
      expect(() => dns.resolve4("example.invalid", () => undefined)).toThrow(GUARD);
      await expect(dns.promises.resolveCname("example.invalid")).rejects.toThrow(GUARD);
    }
  });

  it("refuses a system lookup of a name that is not localhost", async () => {
    expect(() => dns.lookup("example.invalid", () => undefined)).toThrow(
      "network guard: a test tried to look up example.invalid with the system resolver",
    );
    await expect(dns.promises.lookup("example.invalid")).rejects.toThrow(GUARD);
    expect(() => dns.lookupService("192.0.2.1", 80, () => undefined)).toThrow("reverse-resolve 192.0.2.1");
  });

  it("lets loopback traffic through: TCP, UDP, a DNS server on loopback, and localhost", async () => {
    const port = await fixedServer(cleanup, (_request, response) => response.end("hello"));
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: "localhost", port, agent: false }, (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve(text));
        })
        .on("error", reject);
    });
    expect(body).toBe("hello");

    const server = await startFakeDns(cleanup, { a: { "backend.svclab.invalid": ["127.0.0.2"] } });
    const resolver = new dns.promises.Resolver();
    resolver.setServers([server]);
    expect(await resolver.resolve4("backend.svclab.invalid")).toEqual(["127.0.0.2"]);

    const receiver = dgram.createSocket("udp4");
    cleanup.add(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
    const received = new Promise<string>((resolve) => receiver.once("message", (message) => resolve(message.toString())));
    const sender = dgram.createSocket("udp4");
    cleanup.add(() => new Promise<void>((resolve) => sender.close(() => resolve())));
    sender.send("ping", receiver.address().port, "127.0.0.1");
    expect(await received).toBe("ping");

    expect(await dns.promises.lookup("localhost", { family: 4 })).toEqual({ address: "127.0.0.1", family: 4 });
    expect(await dns.promises.lookup("127.0.0.9")).toEqual({ address: "127.0.0.9", family: 4 });
  });
});

describe("the network guard and a network-namespace world", () => {
  let unmute: () => void = () => undefined;
  beforeAll(() => (unmute = muteRefusalLog()));
  afterAll(() => unmute());

  // No packet is sent here: refused attempts throw before a socket exists, and the
  // allowed state is read through the same predicate every check uses.
  it("allows exactly the addresses a world registered, and only until it is released", () => {
    expect(() => net.connect({ host: "198.18.0.2", port: 6443 })).toThrow(GUARD);
    const release = allowWorldAddresses("svlk-test", ["198.18.0.2", "198.19.0.10"]);
    try {
      expect(isAllowedAddress("198.18.0.2")).toBe(true);
      expect(isAllowedAddress("::ffff:198.19.0.10")).toBe(true);
      // Its neighbours in the same range were not registered.
      expect(isAllowedAddress("198.18.0.3")).toBe(false);
      expect(() => net.connect({ host: "198.18.0.3", port: 6443 })).toThrow(GUARD);
      const socket = dgram.createSocket("udp4");
      expect(() => socket.send(Buffer.from("x"), 53, "198.18.0.4")).toThrow(GUARD);
      socket.close();
    } finally {
      release();
    }
    expect(isAllowedAddress("198.18.0.2")).toBe(false);
    expect(() => net.connect({ host: "198.18.0.2", port: 6443 })).toThrow(GUARD);
    const resolver = new dns.Resolver();
    resolver.setServers(["198.19.0.10"]);
    expect(() => resolver.resolve4("backend.svclab.svc.cluster.local", () => undefined)).toThrow(GUARD);
  });

  it("keeps two worlds' grants apart: releasing one leaves the other", () => {
    const first = allowWorldAddresses("one", ["198.18.0.2"]);
    const second = allowWorldAddresses("two", ["198.18.0.2"]);
    first();
    expect(isAllowedAddress("198.18.0.2")).toBe(true);
    second();
    expect(isAllowedAddress("198.18.0.2")).toBe(false);
  });

  it("refuses to allow an address outside 198.18.0.0/15, naming it", () => {
    expect(() => allowWorldAddresses("svlk-test", ["198.18.0.2", "10.0.0.1"])).toThrow(
      'network guard: world svlk-test asked to allow "10.0.0.1"; allowed: IPv4 addresses in 198.18.0.0/15 only',
    );
    expect(() => allowWorldAddresses("svlk-test", ["198.20.0.1"])).toThrow('asked to allow "198.20.0.1"');
    expect(() => allowWorldAddresses("svlk-test", ["2001:db8::1"])).toThrow('asked to allow "2001:db8::1"');
    expect(isAllowedAddress("198.18.0.2")).toBe(false);
  });
});
