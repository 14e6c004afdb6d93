import type { IncomingMessage } from "node:http";
import type { AppConfig, Role } from "./config";

/** Who answered, and whom it saw: the body of `GET /` (docs/CONTRACTS.md). */
export interface Identity {
  readonly role: Role;
  readonly pod: string;
  readonly namespace: string;
  readonly node: string;
  readonly podIP: string;
  /** The port the server is bound to, so a caller can see a Service's `port` 80 → `targetPort` 3000. */
  readonly listenPort: number;
  readonly client: ClientView;
  /** How many identity answers (`GET /`) this instance has given, this one included. */
  readonly served: number;
  readonly version: string;
  /** When this process started, ISO 8601. */
  readonly startedAt: string;
}

/** The caller as the server saw it: after kube-proxy's SNAT this is often a node, not the real client. */
export interface ClientView {
  readonly address: string;
  readonly port: number;
  /** The `X-Forwarded-For` header as sent, or `null` when absent. */
  readonly forwardedFor: string | null;
}

/** What a frontend reports about its backend call: the backend's identity or why there is none. */
export type BackendAnswer = Identity | { readonly error: { readonly kind: string; readonly message: string } };

/** The frontend's identity carries the backend's answer too. */
export type FrontendIdentity = Identity & { readonly backend: BackendAnswer };

/** Builds the identity for one request; `served` is the caller's running count. */
export function identityOf(
  config: AppConfig,
  request: IncomingMessage,
  listenPort: number,
  served: number,
  startedAt: Date,
): Identity {
  return {
    role: config.role,
    pod: config.podName,
    namespace: config.namespace,
    node: config.nodeName,
    podIP: config.podIP,
    listenPort,
    client: clientOf(request),
    served,
    version: config.version,
    startedAt: startedAt.toISOString(),
  };
}

function clientOf(request: IncomingMessage): ClientView {
  const forwarded = request.headers["x-forwarded-for"];
  return {
    address: plainAddress(request.socket.remoteAddress ?? "unknown"),
    port: request.socket.remotePort ?? 0,
    forwardedFor: forwarded === undefined ? null : [forwarded].flat().join(", "),
  };
}

/** A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`; learners expect the IPv4 form. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice("::ffff:".length) : address;
}

/**
 * True when a parsed JSON body looks like a workload identity; `/dial` uses it
 * to tell "a svclab pod answered" from "something else answered".
 */
export function isIdentity(value: unknown): value is Identity {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.role === "string" &&
    typeof candidate.pod === "string" &&
    typeof candidate.node === "string" &&
    typeof candidate.listenPort === "number"
  );
}
