/**
 * The pod host's process (`podHost: "child"`, pod-host.ts): runs the demo-app
 * pods' servers for a world that lives in its parent. The parent asks over
 * IPC; every app listens on its pod's wire address, as in-process, so the
 * parent's data plane, forwarders and readiness switch (`POST /readyz`) reach
 * it the same way. It ends with its parent: when the IPC channel closes
 * (parent closed the world, exited or was killed), it exits, and the kernel
 * closes its listeners.
 */
import { loadConfig } from "../../../apps/src/config";
import { startApp, type RunningApp } from "../../../apps/src/server";
import type { PodHostReply, PodHostRequest } from "./pod-host";

const apps = new Map<string, RunningApp>();

async function handle(request: PodHostRequest): Promise<void> {
  if (request.op === "start") {
    const { pod } = request;
    if (apps.has(pod.name)) throw new Error(`pod ${pod.name} already runs in the pod host`);
    apps.set(pod.name, await startApp(loadConfig(pod.env), { host: pod.host, port: pod.port }));
    return;
  }
  const app = apps.get(request.name);
  apps.delete(request.name);
  await app?.close(0);
}

function reply(message: PodHostReply): void {
  process.send?.(message);
}

process.on("message", (request: PodHostRequest) => {
  handle(request).then(
    () => reply({ id: request.id, ok: true }),
    (error: unknown) => reply({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
if (process.send === undefined) {
  process.stderr.write("pod-host-child: start it with fork() from the stand-in world (test/support/standin/pod-host.ts)\n");
  process.exit(2);
}
