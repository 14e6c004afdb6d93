/**
 * Is a host port free? Answered by binding it and letting go at once: no
 * traffic is sent, and only loopback addresses are ever bound.
 */
import * as net from "node:net";

/** A host port the kind cluster will publish (a kind `extraPortMappings` entry). */
export interface HostPort {
  /** The address the mapping listens on, e.g. `127.0.0.1` (kind's default is 0.0.0.0; the lab uses loopback). */
  readonly listenAddress: string;
  /** The host port, 1–65535. */
  readonly hostPort: number;
}

export type PortState = { readonly state: "free" } | { readonly state: "in-use" } | { readonly state: "unknown"; readonly reason: string };

/**
 * The address actually bound for a mapping: its own address when it is a
 * loopback address, otherwise 127.0.0.1 (a listener on the wildcard address
 * also blocks loopback, so the check still finds the usual conflicts).
 */
export function probeAddressFor(listenAddress: string): string {
  return net.isIPv4(listenAddress) && listenAddress.startsWith("127.") ? listenAddress : "127.0.0.1";
}

/** Binds `address:port` exclusively and releases it; `in-use` when someone else holds it. */
export function checkPort(address: string, port: number): Promise<PortState> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      server.close();
      if (error.code === "EADDRINUSE" || error.code === "EACCES") {
        resolve(error.code === "EADDRINUSE" ? { state: "in-use" } : { state: "unknown", reason: `binding ${address}:${port} was refused (EACCES): ports below 1024 need privileges` });
      } else {
        resolve({ state: "unknown", reason: `binding ${address}:${port} failed: ${error.code ?? error.message}` });
      }
    });
    server.listen({ host: address, port, exclusive: true }, () => {
      server.close(() => resolve({ state: "free" }));
    });
  });
}
