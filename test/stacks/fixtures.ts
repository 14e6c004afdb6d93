/**
 * Canned outputs a real kind run would produce, for the mocks: the JSON report
 * the create script prints, and a demo apps/ directory with a Dockerfile.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedResource } from "../support/pulumi-mocks";

export const FAKE_KUBECONFIG = "apiVersion: v1\nkind: Config\ncurrent-context: kind-svclab\n";

export const FAKE_NODES = [
  { name: "svclab-control-plane", role: "control-plane", internalIP: "172.18.0.2" },
  { name: "svclab-worker", role: "worker", internalIP: "172.18.0.3" },
  { name: "svclab-worker2", role: "worker", internalIP: "172.18.0.4" },
];

/** Mock state: the kind create command prints the cluster report on stdout. */
export function kindCommandState(resource: RecordedResource): Record<string, any> | undefined {
  if (resource.type === "command:local:Command" && String(resource.inputs.create).includes("kind create cluster")) {
    return { stdout: JSON.stringify({ kubeconfig: FAKE_KUBECONFIG, nodes: FAKE_NODES }) };
  }
  return undefined;
}

/** A throwaway apps/ directory holding a Dockerfile and one source file. */
export function fakeAppsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "svclab-apps-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "Dockerfile"), "FROM node:20-alpine\nCOPY src /app\n");
  writeFileSync(join(dir, "src", "server.ts"), "export {};\n");
  return dir;
}

/** Waits, a bounded number of event-loop turns, until `condition` holds. */
export async function waitFor(condition: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what} after ${turns} event-loop turns`);
}

/** Resolves every output of the lab into one plain object, as `pulumi stack output --json` shows it. */
export async function resolveOutputs(outputs: Record<string, { apply: (f: (v: unknown) => unknown) => unknown }>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(outputs).map(([key, output]) => new Promise<[string, unknown]>((resolve) => output.apply((value) => resolve([key, value])))),
  );
  return Object.fromEntries(entries);
}
