import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { httpAttempt, httpAttempts } from "../../verifier/probe/outside";

/** Listens on 127.0.0.1:0 and tracks sockets so close() never waits on a client. */
async function listen(server: net.Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const IDENTITY = { role: "backend", pod: "backend-a", namespace: "svclab", node: "lab-worker", podIP: "10.244.1.5", listenPort: 3000, client: { address: "127.0.0.1", port: 1 } };

describe("outside probe", () => {
  test("an answer with the workload identity is ok and carries the identity", async () => {
    const server = await listen(http.createServer((_req, res) => res.end(JSON.stringify(IDENTITY))));
    try {
      const attempt = await httpAttempt(`http://127.0.0.1:${server.port}/`, 1000);
      expect(attempt).toMatchObject({ ok: true, status: 200, error: null, identity: { pod: "backend-a", listenPort: 3000 } });
    } finally {
      await server.close();
    }
  });

  test("an answer that is not a workload identity carries no identity", async () => {
    const server = await listen(http.createServer((_req, res) => res.end("<html>router login</html>")));
    try {
      expect(await httpAttempt(`http://127.0.0.1:${server.port}/`, 1000)).toMatchObject({ ok: true, identity: null });
    } finally {
      await server.close();
    }
  });

  test("an error status is reported as http-status", async () => {
    const server = await listen(http.createServer((_req, res) => res.writeHead(503).end("no endpoints")));
    try {
      expect(await httpAttempt(`http://127.0.0.1:${server.port}/`, 1000)).toMatchObject({ ok: false, status: 503, error: "http-status" });
    } finally {
      await server.close();
    }
  });

  test("a closed port is refused", async () => {
    const server = await listen(net.createServer());
    const port = server.port;
    await server.close();
    expect(await httpAttempt(`http://127.0.0.1:${port}/`, 1000)).toMatchObject({ ok: false, status: null, error: "refused" });
  });

  test("a listener that accepts and never answers times out within the bound, leaving no socket open", async () => {
    let serverSideClosed: Promise<void> | undefined;
    // resume(): read and discard the request, so the client's close is seen.
    const silent = net.createServer((socket) => {
      serverSideClosed = new Promise((resolve) => socket.once("close", () => resolve()));
      socket.resume();
    });
    const server = await listen(silent);
    try {
      const attempt = await httpAttempt(`http://127.0.0.1:${server.port}/`, 100);
      expect(attempt).toMatchObject({ ok: false, error: "timeout", message: "no answer within 100 ms" });
      // The verifier destroyed its socket: the server sees the connection close without any help.
      await expect(serverSideClosed).resolves.toBeUndefined();
    } finally {
      await server.close();
    }
  });

  test("several attempts are made one after another, each on a fresh connection", async () => {
    const ports = new Set<number>();
    const server = await listen(
      http.createServer((req, res) => {
        ports.add(req.socket.remotePort ?? 0);
        res.end(JSON.stringify(IDENTITY));
      }),
    );
    try {
      const observation = await httpAttempts(`http://127.0.0.1:${server.port}/`, 3, 1000);
      expect(observation.kind === "http" && observation.attempts.length).toBe(3);
      expect(ports.size).toBe(3);
    } finally {
      await server.close();
    }
  });
});
