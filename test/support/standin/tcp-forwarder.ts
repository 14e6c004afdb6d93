/**
 * Real TCP listeners that play kube-proxy's rules on loopback: a listener at
 * an address:port either forwards each connection along a Route, holds it
 * without answering (DROP, a blackhole), or does not exist (nothing there:
 * connection refused). The mode can change while the world runs, as
 * kube-proxy resyncs its rules when endpoints change.
 */
import * as net from "node:net";
import type { Route } from "./data-plane";

/** forward: route every connection; silent: accept and never answer; closed: nothing listens. */
export type ListenerMode = "forward" | "silent" | "closed";

/** Connects a client socket to where a route points, or holds/refuses it. */
export function applyRoute(client: net.Socket, route: Route, held: Set<net.Socket>): void {
  switch (route.kind) {
    case "endpoint":
    case "direct": {
      const upstream = net.connect({ host: route.host, port: route.port, localAddress: route.localAddress });
      pipeBoth(client, upstream);
      return;
    }
    case "drop":
      hold(client, held);
      return;
    case "reject":
    case "unroutable":
      // The connection is already accepted, so the closest to REJECT is a reset.
      client.resetAndDestroy();
      return;
  }
}

/** Keeps a socket open without ever writing to it, until it closes or the world ends. */
export function hold(socket: net.Socket, held: Set<net.Socket>): void {
  held.add(socket);
  socket.on("error", () => socket.destroy());
  socket.on("close", () => held.delete(socket));
  socket.resume(); // read and discard: a blackhole never answers
}

function pipeBoth(a: net.Socket, b: net.Socket): void {
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", end).on("close", end);
  b.on("error", end).on("close", end);
  a.pipe(b);
  b.pipe(a);
}

/** A listener at a fixed address:port whose behaviour follows a mode. */
export class ManagedListener {
  private server: net.Server | undefined;
  private mode: ListenerMode = "closed";
  private readonly held = new Set<net.Socket>();
  private readonly open = new Set<net.Socket>();
  private pending: Promise<void> = Promise.resolve();

  /**
   * @param host loopback address to bind
   * @param port port to bind; 0 picks a free one (see boundPort)
   * @param route decides, per connection, where it goes (forward mode only)
   */
  constructor(readonly host: string, readonly port: number, private readonly route: (clientAddress: string) => Route) {}

  get currentMode(): ListenerMode {
    return this.mode;
  }

  /** The port really bound (differs from `port` when that was 0); undefined while closed. */
  get boundPort(): number | undefined {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address.port : undefined;
  }

  /** Switches mode; resolves once the socket is bound or closed. Calls are applied in order. */
  setMode(mode: ListenerMode): Promise<void> {
    this.pending = this.pending.then(() => this.apply(mode));
    return this.pending;
  }

  private async apply(mode: ListenerMode): Promise<void> {
    if (mode === this.mode) return;
    if (mode === "closed") {
      await this.stop();
    } else if (!this.server) {
      await this.start();
    }
    this.mode = mode;
  }

  private start(): Promise<void> {
    const server = net.createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", (error) => reject(new Error(`cannot listen on ${this.host}:${this.port}: ${error.message}`)));
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => resolve());
    });
  }

  private stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of [...this.held, ...this.open]) socket.destroy();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.open.add(socket);
    socket.on("close", () => this.open.delete(socket));
    socket.on("error", () => socket.destroy());
    if (this.mode === "silent") return hold(socket, this.held);
    applyRoute(socket, this.route(socket.remoteAddress ?? "127.0.0.1"), this.held);
  }
}
