import { Resolver } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

/** Names every system resolves without DNS (RFC 6761 §6.3), answered here the same way. */
const LOCALHOST = /^(.+\.)?localhost\.?$/i;

/** Resolver error codes and the getaddrinfo code a connect would have failed with instead. */
const GETADDRINFO_CODE: Readonly<Record<string, string>> = {
  ENODATA: "ENOTFOUND",
  ETIMEOUT: "EAI_AGAIN",
  ECONNREFUSED: "EAI_AGAIN",
};

/**
 * A `lookup` for `http.request`/`net.connect` that asks the given DNS servers
 * instead of the system resolver. For tests and for running the probe outside
 * a cluster; in a pod the default (getaddrinfo with the pod's search path) is
 * what the verifier wants to prove, so production code passes no lookup at all.
 *
 * It keeps Node's lookup contract: `options.all === true` (which Node 20's
 * `autoSelectFamily` uses) gets an array of `{ address, family }`, otherwise
 * one address and its family; `options.family` 4 or 6 asks for that family only.
 * IP literals are answered as themselves and `localhost` (and `*.localhost`) as
 * 127.0.0.1 / ::1 without asking DNS. Failures carry getaddrinfo's codes
 * (`ENOTFOUND` for a name with no addresses, `EAI_AGAIN` when no server answered),
 * so a failed dial is still classified as `dns`.
 *
 * @param servers DNS servers in `Resolver.setServers` form, e.g. `"127.0.0.1:5353"`; at least one.
 */
export function lookupVia(servers: readonly string[]): LookupFunction {
  if (servers.length === 0) throw new Error("dnsServers is empty; allowed: at least one address such as 127.0.0.1:5353");
  const resolver = new Resolver();
  resolver.setServers([...servers]);
  return (hostname, options, callback) => {
    addressesOf(resolver, hostname, familyOf(options)).then(
      (addresses) => {
        if (options.all === true) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all === true ? [] : ""),
    );
  };
}

/** 0 (either), 4 or 6; Node also accepts the strings "IPv4" and "IPv6". */
function familyOf(options: LookupOptions): 0 | 4 | 6 {
  const family: unknown = options.family;
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}

/** The host's addresses, IPv4 first; rejects with a getaddrinfo-style error when there are none. */
async function addressesOf(resolver: Resolver, hostname: string, family: 0 | 4 | 6): Promise<LookupAddress[]> {
  const literal = isIP(hostname);
  if (literal !== 0) return [{ address: hostname, family: literal }];
  if (LOCALHOST.test(hostname)) {
    const both: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }];
    return both.filter((entry) => family === 0 || entry.family === family);
  }
  const [v4, v6] = await Promise.allSettled([
    family === 6 ? Promise.resolve([]) : resolver.resolve4(hostname),
    family === 4 ? Promise.resolve([]) : resolver.resolve6(hostname),
  ]);
  const addresses: LookupAddress[] = [
    ...(v4.status === "fulfilled" ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === "fulfilled" ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (addresses.length > 0) return addresses;
  // The IPv4 question's error says most about the name (NXDOMAIN vs. no answer).
  const failed = [v4, v6].find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  throw lookupError(hostname, failed?.reason);
}

function lookupError(hostname: string, cause: unknown): NodeJS.ErrnoException {
  const original = (cause as { code?: unknown } | undefined)?.code;
  const resolverCode = typeof original === "string" ? original : "ENODATA";
  const code = GETADDRINFO_CODE[resolverCode] ?? resolverCode;
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ${code} ${hostname} (asked ${resolverCode} of the configured DNS servers)`);
  error.code = code;
  error.syscall = "getaddrinfo";
  (error as NodeJS.ErrnoException & { hostname: string }).hostname = hostname;
  return error;
}
