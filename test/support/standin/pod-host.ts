/**
 * Where a world's demo-app pods (frontend and backend `startApp` servers) run:
 * in the world's own process (the default), or in one child process, the
 * "pod host", so that a big world's work is split over two cores — the
 * parent keeps the fake API, data plane, forwarders and probe agents, the
 * child answers the apps' requests (the sized benchmark uses it,
 * docs/standin.md "Benchmark"). Apps listen on their pod's wire address
 * either way, so nothing else in the world knows where they run.
 *
 * The child runs `pod-host-child.js` next to this file when the stand-in is
 * compiled (dist/), and the `.ts` through ts-node (plus the tests' network
 * guard) when it runs from sources, as under jest.
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { loadConfig } from "../../../apps/src/config";
import { startApp, type RunningApp } from "../../../apps/src/server";

/** Where the demo-app pods run: this process, or one child process for all of them. */
export type PodHostKind = "in-process" | "child";

/** An app pod to start: its environment (Downward API and role) and its wire address. */
export interface AppPod {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  readonly port: number;
}

/** Requests to the child (pod-host-child.ts). */
export type PodHostRequest =
  | { readonly id: number; readonly op: "start"; readonly pod: AppPod }
  | { readonly id: number; readonly op: "stop"; readonly name: string };

/** The child's answer to the request with that id. */
export type PodHostReply = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly message: string };

/** Runs a world's app pods. */
export interface PodHost {
  /** The process the apps run in. */
  readonly pid: number;
  /** Resolves once the app listens. */
  start(pod: AppPod): Promise<void>;
  /** Stops the app (connections cut at once); a pod not running is a no-op. */
  stop(name: string): Promise<void>;
  /** Throws why the host can no longer run pods (its process died), if it cannot. */
  check(): void;
  /** Stops every app; for a child, ends the process. Throws after a crash, once everything is gone. */
  close(): Promise<void>;
}

/** Starts a pod host of that kind. */
export function startPodHost(kind: PodHostKind): PodHost {
  return kind === "child" ? new ChildPodHost() : new InProcessPodHost();
}

class InProcessPodHost implements PodHost {
  readonly pid = process.pid;
  private readonly apps = new Map<string, RunningApp>();

  async start(pod: AppPod): Promise<void> {
    this.apps.set(pod.name, await startApp(loadConfig(pod.env), { host: pod.host, port: pod.port }));
  }

  async stop(name: string): Promise<void> {
    const app = this.apps.get(name);
    this.apps.delete(name);
    await app?.close(0);
  }

  check(): void {}

  async close(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((name) => this.stop(name)));
  }
}

/** How long the child may take to exit after SIGTERM before it gets SIGKILL. */
const EXIT_GRACE_MS = 5000;

class ChildPodHost implements PodHost {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private readonly running = new Set<string>();
  private nextId = 1;
  private crash: Error | undefined;
  private closing = false;
  private readonly exited: Promise<void>;
  // A parent that exits without closing its world must not leave the child behind
  // (the child also exits when the IPC channel closes, e.g. if this process is killed).
  private readonly killOnExit = () => this.child.kill("SIGKILL");

  constructor() {
    const typescript = __filename.endsWith(".ts");
    const entry = path.join(__dirname, typescript ? "pod-host-child.ts" : "pod-host-child.js");
    // Compiled: the stand-in's own node flags (the bench's, bench/standin-flags.ts) apply to its pods too.
    // From sources: ts-node compiles the child, and the jest network guard keeps its apps on loopback as in-process.
    const execArgv = typescript
      ? ["-r", require.resolve("ts-node/register/transpile-only"), "-r", path.join(__dirname, "..", "network-guard.ts")]
      : process.execArgv;
    this.child = fork(entry, [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    if (this.child.pid === undefined) throw new Error(`cannot start the stand-in's pod host (${entry})`);
    this.pid = this.child.pid;
    this.child.on("message", (reply: PodHostReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve();
      else waiter?.reject(new Error(reply.message));
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        process.removeListener("exit", this.killOnExit);
        if (!this.closing) this.crashed(signal ?? `exit code ${code}`);
        resolve();
      });
    });
    process.on("exit", this.killOnExit);
  }

  start(pod: AppPod): Promise<void> {
    return this.ask({ id: this.nextId++, op: "start", pod }).then(() => {
      this.running.add(pod.name);
    });
  }

  async stop(name: string): Promise<void> {
    this.running.delete(name);
    // After a crash the app is gone already, which is all stopping it asks for.
    if (this.crash) return;
    await this.ask({ id: this.nextId++, op: "stop", name }).catch((error: unknown) => {
      if (error !== this.crash) throw error;
    });
  }

  check(): void {
    if (this.crash) throw this.crash;
  }

  async close(): Promise<void> {
    if (!this.closing && this.crash === undefined) {
      this.closing = true;
      this.child.kill("SIGTERM");
      const killer = setTimeout(() => this.child.kill("SIGKILL"), EXIT_GRACE_MS);
      await this.exited;
      clearTimeout(killer);
    }
    this.closing = true;
    await this.exited;
    this.check();
  }

  private ask(request: PodHostRequest): Promise<void> {
    this.check();
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.child.send(request, (error) => {
        // A channel that closed under us means the child is dying: its exit names why.
        if (error) void this.exited.then(() => this.pending.delete(request.id) && reject(this.crash ?? error));
      });
    });
  }

  /** The child died on its own: every pod in it is gone, so every waiter and every later call fails with why. */
  private crashed(how: string): void {
    const pods = [...this.running];
    this.crash = new Error(
      `the stand-in's pod host (pid ${this.pid}) ended unexpectedly (${how})${pods.length > 0 ? `; its pods ${pods.join(", ")} no longer answer` : ""}`,
    );
    process.stderr.write(`standin: ${this.crash.message}\n`);
    for (const waiter of this.pending.values()) waiter.reject(this.crash);
    this.pending.clear();
  }
}
