/**
 * The first `pulumi preview`: no cluster exists yet, so the kind command's
 * stdout, and with it the kubeconfig and the nodes, are unknown. The program
 * must still plan every resource without error.
 */
import * as pulumi from "@pulumi/pulumi";
import { rmSync } from "node:fs";
import { installMocks } from "../support/pulumi-mocks";
import { fakeAppsDir, waitFor } from "./fixtures";

const world = installMocks({
  preview: true,
  state: (r) => (r.type === "command:local:Command" ? { stdout: pulumi.unknown } : undefined),
});
const apps = fakeAppsDir();
afterAll(() => rmSync(apps, { recursive: true, force: true }));

test("plans the whole lab while the kubeconfig is still unknown", async () => {
  pulumi.runtime.setAllConfig({});
  const { loadConfig } = await import("../../stacks/config");
  const { createLab } = await import("../../stacks/lab");
  const lab = createLab(loadConfig(), { appsDir: apps });

  await waitFor(
    () =>
      world.byType("kubernetes:apps/v1:DaemonSet").length === 1 &&
      world.byType("kubernetes:apps/v1:Deployment").length === 2 &&
      world.byType("kubernetes:core/v1:Service").length === 8,
    "every workload object and Service to be planned",
  );
  // Output.isKnown is how the SDK itself tells a preview's unknowns apart.
  expect(await (lab.kubeconfig as any).isKnown).toBe(false);
  expect(await (lab.nodes as any).isKnown).toBe(false);
  expect(await (lab.nodePortUrls as any).isKnown).toBe(false);
  expect(world.byType("pulumi:providers:kubernetes")).toHaveLength(1);
  expect(world.byName("svclab-image-build").inputs.buildOnPreview).toBe(false);
});
