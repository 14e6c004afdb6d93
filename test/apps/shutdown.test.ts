import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { MISSING_PROBE_TOKEN_FILE } from "../../apps/src/config";
import { PROBE_TOKEN_HEADER } from "../../apps/src/probe-token";
import { Cleanup, connectOutcome, LOOPBACK, request, silentListener, startTestApp, startTestProbe, writeTokenFile } from "./helpers";

describe("graceful shutdown (in process)", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("finishes a request in flight and refuses new connections meanwhile", async () => {
    const probe = await startTestProbe(cleanup);
    const silent = await silentListener(cleanup);
    const inFlight = probe.request(`/dial?target=http://127.0.0.1:${silent.port}/&timeoutMs=300`);
    await silent.connected;

    const stopped = probe.close(5000);
    expect(await connectOutcome(probe.port)).toBe("ECONNREFUSED");
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe("close");
    expect(answer.json().attempts[0].error).toBe("timeout");
    expect(await stopped).toEqual({ drained: true });
  });

  it("does not wait for idle keep-alive connections", async () => {
    const app = await startTestApp(cleanup, { ROLE: "backend" });
    const agent = new http.Agent({ keepAlive: true });
    cleanup.add(async () => agent.destroy());
    await new Promise<void>((resolve, reject) =>
      http.get({ host: LOOPBACK, port: app.port, path: "/", agent }, (response) => response.resume().on("end", resolve)).on("error", reject),
    );
    expect(Object.keys(agent.freeSockets)).toHaveLength(1);
    // A grace period of 10 minutes: the close can only end in time by closing the idle socket.
    expect(await app.close(600_000)).toEqual({ drained: true });
  });

  it("cuts requests still running when the grace period ends", async () => {
    const probe = await startTestProbe(cleanup);
    const silent = await silentListener(cleanup);
    const inFlight = probe.request(`/dial?target=http://127.0.0.1:${silent.port}/&timeoutMs=10000`).then(
      () => "answered",
      (error: NodeJS.ErrnoException) => error.code,
    );
    await silent.connected;
    expect(await probe.close(50)).toEqual({ drained: false });
    expect(await inFlight).toBe("ECONNRESET");
  });
});

/** The entry point run as Kubernetes runs it: a process that gets SIGTERM. */
describe("graceful shutdown (SIGTERM to the process)", () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  const repoRoot = path.resolve(__dirname, "../..");

  function startEntry(env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "apps/src/main.ts"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOST: LOOPBACK, PORT: "0", ...env },
    });
    cleanup.add(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    return child;
  }

  /** Resolves with the first JSON log line whose event matches; rejects if the process ends first. */
  function logEvent(child: ChildProcessWithoutNullStreams, event: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let buffered = "";
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString("utf8");
        for (const line of buffered.split("\n").slice(0, -1)) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.event === event) {
            child.stdout.off("data", onData);
            resolve(parsed);
            return;
          }
        }
      };
      child.stdout.on("data", onData);
      child.once("exit", (code) => reject(new Error(`exited with ${code} before logging "${event}"`)));
    });
  }

  function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
    return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  it("finishes the request in flight, refuses new connections and exits 0", async () => {
    const token = writeTokenFile(cleanup);
    const child = startEntry({ ROLE: "probe", PROBE_TOKEN_FILE: token.file });
    const exited = exitOf(child);
    const { port } = (await logEvent(child, "listening")) as { port: number };
    const silent = await silentListener(cleanup);
    const inFlight = request(port, `/dial?target=http://127.0.0.1:${silent.port}/&timeoutMs=500`, { headers: { [PROBE_TOKEN_HEADER]: token.token } });
    await silent.connected;

    const shuttingDown = logEvent(child, "shutting down");
    child.kill("SIGTERM");
    expect(await shuttingDown).toMatchObject({ signal: "SIGTERM", graceMs: 8000 });
    expect(await connectOutcome(port)).toBe("ECONNREFUSED");
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.json().attempts[0].error).toBe("timeout");
    expect(await exited).toBe(0);
  });

  it("refuses to start with a bad ROLE, saying why, with exit code 2", async () => {
    const child = startEntry({ ROLE: "database" });
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    expect(await exitOf(child)).toBe(2);
    expect(Buffer.concat(stderr).toString("utf8")).toBe('svclab-demo: ROLE is "database"; allowed: frontend, backend, probe\n');
  });

  it("refuses to start as a probe agent without PROBE_TOKEN_FILE, in one line naming it, with exit code 2", async () => {
    const child = startEntry({ ROLE: "probe" });
    const stderr: Buffer[] = [];
    const stdout: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    expect(await exitOf(child)).toBe(2);
    expect(Buffer.concat(stderr).toString("utf8")).toBe(`svclab-demo: ${MISSING_PROBE_TOKEN_FILE}\n`);
    // It never listened: nothing to relay through.
    expect(Buffer.concat(stdout).toString("utf8")).toBe("");
  });
});
