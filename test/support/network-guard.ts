/**
 * Jest setup file (jest.config.js `setupFiles`): makes any test that would send
 * traffic beyond loopback fail at once, before a packet can leave. The project
 * rule is that tests reach 127.0.0.0/8 (and ::1) only — no other address and no
 * DNS server but one on loopback.
 *
 * It patches, in the jest worker process only (child processes a test spawns are
 * not covered), the places where Node code starts traffic:
 * - `net.Socket.prototype.connect` (so net, http, https, tls, undici and fetch):
 *   loopback IPs, `localhost` and unix sockets pass; another host name passes
 *   only with a caller-supplied `lookup`, whose answers must then be loopback;
 * - `dgram.Socket.prototype.send`: the destination (or connected peer) must be loopback;
 * - `dns.lookup`, `dns.promises.lookup`: IP literals and `localhost` only, since
 *   getaddrinfo asks the servers in /etc/resolv.conf for anything else;
 * - `dns.lookupService`: loopback addresses only (a reverse lookup asks DNS);
 * - every query method of `dns.Resolver`, `dns.promises.Resolver` and the module-level
 *   `dns.resolve*`/`reverse` functions: every configured server must be loopback.
 *
 * A test that built a network-namespace world (test/support/realkernel/) may
 * also reach exactly that world's addresses, all inside 198.18.0.0/15, while the
 * world exists: {@link allowWorldAddresses}. Those addresses exist only in
 * namespaces the test created, and the world routes the rest of the range to
 * `unreachable` in the root namespace, so nothing leaves the machine.
 *
 * Each check runs before the original function is called. Every refusal is also
 * written to stderr, so that one which the code under test turns into a result
 * (a `/dial` attempt with error "other", a `/resolve` code ENETWORKGUARD) is still
 * seen. Core modules are shared by every test file in a worker, so the patches
 * are applied once and marked with registry symbols (module-level symbols and
 * state differ per test file's sandbox).
 */
// Default imports on purpose: `import * as` makes a copy of the module object, and
// patching a copy would leave the functions Node's own modules call untouched.
import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";

const PATCHED = Symbol.for("svclab.networkGuard.patched");
const ORIGINAL = Symbol.for("svclab.networkGuard.original");
const STATE = Symbol.for("svclab.networkGuard.state");
const LOCALHOST = /^localhost\.?$/i;

const loopback = new net.BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/** True for an address in 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address. */
export function isLoopbackAddress(address: string): boolean {
  const family = net.isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The error every refused attempt throws (or rejects with, or hands its callback). */
export class NetworkGuardError extends Error {
  readonly code = "ENETWORKGUARD";
}

interface GuardState {
  /** How many callers asked for refusals not to be written to stderr. */
  muted: number;
  /** Addresses of running network-namespace worlds, by the grant that allowed them. */
  worlds?: Map<symbol, ReadonlySet<string>>;
}

// Kept on a core object because the patched functions outlive the test file that installed them.
const shared = net.Socket.prototype as unknown as Record<symbol, GuardState | undefined>;
const state: GuardState = (shared[STATE] ??= { muted: 0 });
const worlds: Map<symbol, ReadonlySet<string>> = (state.worlds ??= new Map());

/** The only range a world's addresses may come from: RFC 2544's benchmarking range, never routed on the internet. */
const WORLD_RANGE = new net.BlockList();
WORLD_RANGE.addSubnet("198.18.0.0", 15, "ipv4");

/**
 * Lets the tests of this jest worker reach exactly `addresses` until the
 * returned function is called (call it when the world is torn down). For a
 * world of network namespaces the test created itself; every address must be
 * an IPv4 address in 198.18.0.0/15.
 * @param owner names the world in errors, e.g. the namespace prefix
 * @throws Error naming the first address that is not allowed and what is
 */
export function allowWorldAddresses(owner: string, addresses: readonly string[]): () => void {
  for (const address of addresses) {
    if (net.isIP(address) !== 4 || !WORLD_RANGE.check(address, "ipv4")) {
      throw new Error(`network guard: world ${owner} asked to allow ${JSON.stringify(address)}; allowed: IPv4 addresses in 198.18.0.0/15 only`);
    }
  }
  const grant = Symbol(owner);
  worlds.set(grant, new Set(addresses));
  return () => {
    worlds.delete(grant);
  };
}

/** True for loopback and for an address of a world that is running now ({@link allowWorldAddresses}); what every check asks. */
export function isAllowedAddress(address: string): boolean {
  if (isLoopbackAddress(address)) return true;
  const plain = address.replace(/^::ffff:/i, "");
  for (const allowed of worlds.values()) if (allowed.has(plain)) return true;
  return false;
}

function refuse(what: string): NetworkGuardError {
  const error = new NetworkGuardError(`network guard: a test tried to ${what}; tests may only reach loopback (127.0.0.0/8)`);
  if (state.muted === 0) process.stderr.write(`${error.message}\n`);
  return error;
}

/** Stops writing refusals to stderr until the returned function is called; for the guard's own tests. */
export function muteRefusalLog(): () => void {
  state.muted += 1;
  let unmuted = false;
  return () => {
    if (!unmuted) state.muted -= 1;
    unmuted = true;
  };
}

type AnyFunction = (this: any, ...args: any[]) => any;

/** Replaces `target[name]` with `wrap(original)` unless this guard already did. */
function patch<T extends object>(target: T, name: string, wrap: (original: AnyFunction) => AnyFunction): void {
  const record = target as Record<string | symbol, unknown>;
  const original = record[name];
  if (typeof original !== "function" || (original as unknown as Record<symbol, unknown>)[PATCHED] === true) return;
  const guarded = wrap(original as AnyFunction);
  Object.defineProperty(guarded, PATCHED, { value: true });
  Object.defineProperty(guarded, ORIGINAL, { value: original });
  Object.defineProperty(guarded, "name", { value: original.name });
  record[name] = guarded;
}

// --- TCP, and everything built on it -------------------------------------------------

/** True when a connect would resolve through getaddrinfo: no own lookup, or dns.lookup itself (guarded or not). */
function isSystemLookup(lookup: unknown): boolean {
  return lookup === undefined || lookup === dns.lookup || lookup === (dns.lookup as unknown as Record<symbol, unknown>)[ORIGINAL];
}

/** Wraps a caller's lookup so that an answer outside loopback becomes an error instead of a connection. */
function loopbackOnlyLookup(lookup: net.LookupFunction): net.LookupFunction {
  if ((lookup as unknown as Record<symbol, unknown>)[PATCHED] === true) return lookup;
  const guarded: net.LookupFunction = (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      if (error !== null) return callback(error, address, family);
      const addresses = typeof address === "string" ? [address] : address.map((entry) => entry.address);
      const outside = addresses.find((candidate) => !isAllowedAddress(candidate));
      if (outside === undefined) return callback(null, address, family);
      callback(refuse(`connect to ${hostname} (its lookup answered ${outside})`), address, family);
    });
  Object.defineProperty(guarded, PATCHED, { value: true });
  return guarded;
}

/** Node's own argument parser for connect(): options object, (port, host, cb) or an IPC path. */
interface NetInternals {
  _normalizeArgs(args: unknown[]): unknown[];
}

patch(net.Socket.prototype, "connect", (original) =>
  function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect() hands over its already-normalised [options, callback] array.
    const normalised = Array.isArray(args[0]) ? args[0] : (net as unknown as NetInternals)._normalizeArgs(args);
    const options = (normalised[0] ?? {}) as net.TcpNetConnectOpts & net.IpcNetConnectOpts & Record<string, unknown>;
    if (typeof options.path === "string" && options.path !== "") return original.apply(this, args);
    // As net itself does, a missing or empty host means localhost.
    const host = options.host === undefined || options.host === "" ? "localhost" : options.host;
    const where = `connect to ${host}:${String(options.port)}`;
    if (net.isIP(host) !== 0) {
      if (!isAllowedAddress(host)) throw refuse(where);
    } else if (!LOCALHOST.test(host) && isSystemLookup(options.lookup)) {
      throw refuse(`${where} through the system resolver`);
    }
    if (!isSystemLookup(options.lookup)) options.lookup = loopbackOnlyLookup(options.lookup as net.LookupFunction);
    return original.apply(this, args);
  },
);

// --- UDP ---------------------------------------------------------------------------

/** The peer of a connected UDP socket, or undefined when it is not connected. */
function connectedPeer(socket: dgram.Socket): string | undefined {
  try {
    return socket.remoteAddress().address;
  } catch {
    return undefined;
  }
}

patch(dgram.Socket.prototype, "send", (original) =>
  function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    const peer = connectedPeer(this);
    // Mirrors dgram's own argument shuffling: send(msg, [offset, length,] port, [address], [callback]).
    const withRange = args[4] !== undefined || (args[3] !== undefined && typeof args[3] !== "function");
    const address = peer ?? (withRange ? args[4] : args[2]);
    if (typeof address === "string" && address !== "" && !isAllowedAddress(address) && !LOCALHOST.test(address)) {
      const port = peer === undefined ? (withRange ? args[3] : args[1]) : this.remoteAddress().port;
      throw refuse(`send a UDP datagram to ${address}:${String(port)}`);
    }
    return original.apply(this, args);
  },
);

// --- DNS -----------------------------------------------------------------------------

/** The address part of a `getServers()` entry: "1.2.3.4", "1.2.3.4:53", "::1" or "[::1]:53". */
function serverAddress(server: string): string {
  if (net.isIP(server) !== 0) return server;
  return /^\[(.+)\]:\d+$/.exec(server)?.[1] ?? server.replace(/:\d+$/, "");
}

function outsideServers(servers: readonly string[]): string[] {
  return servers.filter((server) => !isAllowedAddress(serverAddress(server)));
}

const QUERY_METHODS = Object.getOwnPropertyNames(dns.Resolver.prototype).filter((name) => /^(resolve|reverse)/.test(name));

/** Guards query methods whose servers come from `servers()`; `asPromise` rejects instead of throwing. */
function guardQueries(target: object, names: readonly string[], servers: (self: any) => string[], asPromise: boolean): void {
  for (const name of names) {
    patch(target, name, (original) =>
      function guardedQuery(this: unknown, ...args: unknown[]) {
        const outside = outsideServers(servers(this));
        if (outside.length > 0) {
          const error = refuse(`ask the DNS server(s) ${outside.join(", ")} (${name} ${String(args[0])})`);
          if (asPromise) return Promise.reject(error);
          throw error;
        }
        return original.apply(this, args);
      },
    );
  }
}

guardQueries(dns.Resolver.prototype, QUERY_METHODS, (self: dns.Resolver) => self.getServers(), false);
guardQueries(dns.promises.Resolver.prototype, QUERY_METHODS, (self: dns.promises.Resolver) => self.getServers(), true);
guardQueries(dns, QUERY_METHODS, () => dns.getServers(), false);
guardQueries(dns.promises, QUERY_METHODS, () => dns.promises.getServers(), true);

function systemLookupRefusal(hostname: unknown): NetworkGuardError | undefined {
  if (typeof hostname === "string" && (net.isIP(hostname) !== 0 || LOCALHOST.test(hostname))) return undefined;
  return refuse(`look up ${String(hostname)} with the system resolver`);
}

patch(dns, "lookup", (original) =>
  function guardedLookup(this: unknown, ...args: unknown[]) {
    const refusal = systemLookupRefusal(args[0]);
    if (refusal !== undefined) throw refusal;
    return original.apply(this, args);
  },
);
patch(dns.promises, "lookup", (original) =>
  function guardedLookup(this: unknown, ...args: unknown[]) {
    const refusal = systemLookupRefusal(args[0]);
    return refusal === undefined ? original.apply(this, args) : Promise.reject(refusal);
  },
);

function reverseRefusal(address: unknown): NetworkGuardError | undefined {
  // A reverse lookup asks the system's DNS server, so a world's address is no exception here.
  return typeof address === "string" && isLoopbackAddress(address) ? undefined : refuse(`reverse-resolve ${String(address)}`);
}

patch(dns, "lookupService", (original) =>
  function guardedLookupService(this: unknown, ...args: unknown[]) {
    const refusal = reverseRefusal(args[0]);
    if (refusal !== undefined) throw refusal;
    return original.apply(this, args);
  },
);
patch(dns.promises, "lookupService", (original) =>
  function guardedLookupService(this: unknown, ...args: unknown[]) {
    const refusal = reverseRefusal(args[0]);
    return refusal === undefined ? original.apply(this, args) : Promise.reject(refusal);
  },
);
