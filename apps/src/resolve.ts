import { lookup, Resolver } from "node:dns/promises";
import { TIMEOUT_RULE } from "./dial";
import { ipv4FromHostsFile } from "./hosts-file";
import { BadParameter, integerParameter } from "./params";

/** The record types `/resolve` answers. */
export const RECORD_TYPES = ["A", "AAAA", "CNAME", "SRV"] as const;

/** One of {@link RECORD_TYPES}. */
export type RecordType = (typeof RECORD_TYPES)[number];

/** An SRV record as `/resolve` reports it. */
export interface SrvAnswer {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** Why a name did not resolve (docs/CONTRACTS.md). */
export type ResolveFailure = "nxdomain" | "nodata" | "timeout" | "other";

/** The body of a `/resolve` answer: the records, or why there are none. */
export type ResolveReport =
  | { readonly name: string; readonly type: RecordType; readonly ok: true; readonly records: readonly (string | SrvAnswer)[] }
  | { readonly name: string; readonly type: RecordType; readonly ok: false; readonly error: ResolveFailure; readonly code: string };

/** A validated `GET /resolve` request. */
export interface ResolveRequest {
  readonly name: string;
  readonly type: RecordType;
  /** The limit for the whole lookup; same bounds and default as `/dial`'s `timeoutMs`. */
  readonly timeoutMs: number;
}

const MAX_NAME_LENGTH = 253;
/** Letters, digits, hyphens, and underscores for SRV owner names such as `_http._tcp.backend`. */
const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const NAME_ALLOWED = `allowed: a DNS name of at most ${MAX_NAME_LENGTH} characters, e.g. backend.svclab.svc.cluster.local`;

/**
 * Validates `/resolve`'s query: `name` (required), `type` (`A` | `AAAA` | `CNAME` | `SRV`, default `A`), `timeoutMs`.
 * @throws BadParameter naming the parameter and what is allowed.
 */
export function parseResolveQuery(query: URLSearchParams): ResolveRequest {
  const name = query.get("name")?.trim() ?? "";
  if (name === "") throw new BadParameter("name", `name is missing; ${NAME_ALLOWED}`);
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare.length > MAX_NAME_LENGTH || !bare.split(".").every((label) => LABEL.test(label))) {
    throw new BadParameter("name", `name "${name}" is not a DNS name; ${NAME_ALLOWED}`);
  }
  const rawType = query.get("type") ?? "A";
  const type = RECORD_TYPES.find((candidate) => candidate === rawType.toUpperCase());
  if (type === undefined) {
    throw new BadParameter("type", `type is "${rawType}"; allowed: ${RECORD_TYPES.join(", ")} (default A)`);
  }
  return { name, type, timeoutMs: integerParameter(query, "timeoutMs", TIMEOUT_RULE) };
}

const FAILURE_BY_CODE: Readonly<Record<string, ResolveFailure>> = {
  ENOTFOUND: "nxdomain",
  ENODATA: "nodata",
  ETIMEOUT: "timeout",
};

/**
 * Asks DNS for `name`'s records, bounded by `timeoutMs` in total. Never rejects.
 *
 * A `Resolver` queries the DNS servers in /etc/resolv.conf (in a pod: cluster
 * DNS, with the pod's search path), which is what the verifier wants to prove.
 * It does not read /etc/hosts, so for A records a failed DNS query falls back
 * to the system resolver (getaddrinfo), which does: that is how `localhost`
 * and other hosts-file names still resolve, as they would for any program.
 * With explicit `servers` the fallback reads /etc/hosts itself instead, since
 * getaddrinfo would go on to ask the servers in /etc/resolv.conf.
 *
 * @param servers DNS servers to ask instead of the system's (`"127.0.0.1:5353"` form);
 *   default: those in /etc/resolv.conf.
 */
export async function resolveName(request: ResolveRequest, servers?: readonly string[]): Promise<ResolveReport> {
  const { name, type, timeoutMs } = request;
  const deadline = Date.now() + timeoutMs;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (servers !== undefined) resolver.setServers([...servers]);
  const answer = await withinTime(queryDns(resolver, name, type), timeoutMs, () => resolver.cancel());
  if (answer.ok) return { name, type, ok: true, records: answer.value };

  const code = answer.timedOut ? "ETIMEOUT" : codeOf(answer.error);
  const remainingMs = deadline - Date.now();
  if (type === "A" && !answer.timedOut && remainingMs > 0) {
    const hostsLookup =
      servers === undefined
        ? lookup(name, { family: 4, all: true }).then((entries) => entries.map((entry) => entry.address))
        : ipv4FromHostsFile(name);
    const fromHosts = await withinTime(hostsLookup, remainingMs, () => undefined);
    if (fromHosts.ok && fromHosts.value.length > 0) {
      return { name, type, ok: true, records: fromHosts.value };
    }
  }
  return { name, type, ok: false, error: FAILURE_BY_CODE[code] ?? "other", code };
}

function queryDns(resolver: Resolver, name: string, type: RecordType): Promise<readonly (string | SrvAnswer)[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      // IPv6 and dual-stack clusters: a headless name's IPv6 pod addresses, a Service's IPv6 ClusterIP.
      return resolver.resolve6(name);
    case "CNAME":
      return resolver.resolveCname(name);
    case "SRV":
      return resolver
        .resolveSrv(name)
        .then((records) => records.map(({ name: target, port, priority, weight }) => ({ name: target, port, priority, weight })));
  }
}

type Bounded<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error: unknown };

/** Settles with the promise's outcome or a time-out, whichever comes first; `onTimeout` cancels the work. */
function withinTime<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => void): Promise<Bounded<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onTimeout();
      resolve({ ok: false, timedOut: true, error: undefined });
    }, timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, timedOut: false, error });
      },
    );
  });
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "UNKNOWN";
}
