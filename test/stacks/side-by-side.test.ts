/**
 * Two labs on one machine: the dev and ci stacks, planned under mocks from
 * their real stack files, claim no machine-wide name in common (kind
 * cluster, kubectl context, Docker containers, host ports).
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { installMocks } from "../support/pulumi-mocks";
import { fakeAppsDir, kindCommandState, waitFor } from "./fixtures";

const world = installMocks({ state: kindCommandState });
const apps = fakeAppsDir();
afterAll(() => rmSync(apps, { recursive: true, force: true }));

interface MachineWideNames {
  /** The kind config of the plan, parsed. */
  readonly kindConfig: { nodes: Array<{ role: string; extraPortMappings?: Array<{ hostPort: number; containerPort: number }> }> };
  readonly kindClusters: string[];
  readonly kubeContexts: string[];
  readonly containers: string[];
  readonly hostPorts: string[];
}

/** Plans one stack from its stack file and returns the names it would take on the machine. */
async function plan(stack: string): Promise<MachineWideNames> {
  world.reset();
  const file = parse(readFileSync(join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`), "utf8"));
  // The CLI hands arrays and numbers to the program as strings (JSON for arrays).
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(file.config as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
  );
  const { loadConfig } = await import("../../stacks/config");
  const { createLab } = await import("../../stacks/lab");
  createLab(loadConfig(), { appsDir: apps });
  await waitFor(() => world.byType("kubernetes:apps/v1:DaemonSet").length === 1 && world.byType("docker:index/container:Container").length === 1, `the ${stack} plan`);
  const kindCommands = world.byType("command:local:Command").filter((r) => String(r.inputs.create).includes("kind create cluster"));
  const kindClusters = kindCommands.map((r) => r.inputs.environment.SVCLAB_KIND_CLUSTER as string);
  const hostPorts = kindCommands.flatMap((r) =>
    (parse(r.inputs.stdin).nodes as Array<{ extraPortMappings?: Array<{ hostPort: number; listenAddress: string }> }>).flatMap((node) =>
      (node.extraPortMappings ?? []).map((m) => `${m.listenAddress}:${m.hostPort}`),
    ),
  );
  return {
    kindConfig: parse(kindCommands[0].inputs.stdin),
    kindClusters,
    kubeContexts: kindClusters.map((name) => `kind-${name}`),
    containers: world.byType("docker:index/container:Container").map((r) => r.inputs.name as string),
    hostPorts,
  };
}

test("the dev and ci labs run side by side: no kind cluster, context, container or host port in common", async () => {
  const dev = await plan("dev");
  const ci = await plan("ci");
  expect(dev).toMatchObject({ kindClusters: ["svclab"], containers: ["svclab-cloud-provider-kind"] });
  expect(ci).toMatchObject({ kindClusters: ["svclab-ci"], containers: ["svclab-ci-cloud-provider-kind"] });
  for (const kind of ["kindClusters", "kubeContexts", "containers", "hostPorts"] as const) {
    expect([kind, dev[kind].filter((name) => ci[kind].includes(name))]).toEqual([kind, []]);
  }
});

test("dev publishes frontend-local's node port (externalTrafficPolicy Local) from the first worker, where frontend pods run, and 30080 from the control plane", async () => {
  const { kindConfig } = await plan("dev");
  const mapped = kindConfig.nodes.map((node) => [node.role, (node.extraPortMappings ?? []).map((m) => `${m.hostPort}:${m.containerPort}`)]);
  expect(mapped).toEqual([
    ["control-plane", ["30080:30080"]],
    ["worker", ["30081:30081"]],
    ["worker", []],
  ]);
});
