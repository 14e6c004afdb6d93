/**
 * The entry module (Pulumi.yaml `main`) as the Pulumi CLI runs it: config in
 * the environment, then import. Each import gets a fresh module registry.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../support/pulumi-mocks";
import { kindCommandState, resolveOutputs } from "./fixtures";
import { registeredBesidesSentinel } from "../components/registration";

const world = installMocks({ state: kindCommandState });
const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
  world.reset();
});

async function importEntry(): Promise<Record<string, any>> {
  let entry: Record<string, any> = {};
  await jest.isolateModulesAsync(async () => {
    entry = await import("../../stacks/index");
  });
  return entry;
}

test("with a bad config value the program stops before registering anything", async () => {
  pulumi.runtime.setAllConfig({ "svclab:nodePort": "8080" });
  await expect(importEntry()).rejects.toThrow("nodePort must be an integer in the NodePort range 30000-32767; got 8080");
  expect(await registeredBesidesSentinel(world)).toEqual([]);
});

test("a host port mapped twice stops the program before registering anything", async () => {
  pulumi.runtime.setAllConfig({ "svclab:hostPorts": '["30080:30080","30080:30081"]' });
  await expect(importEntry()).rejects.toThrow(
    "host port 30080 is used twice (hostPorts[0] and hostPorts[1]); each host port must be different",
  );
  expect(await registeredBesidesSentinel(world)).toEqual([]);
});

test("an existing cluster without a kubeconfig stops the program before registering anything", async () => {
  pulumi.runtime.setAllConfig({ "svclab:cluster": "existing" });
  await expect(importEntry()).rejects.toThrow('kubeconfig is required when cluster is "existing"');
  expect(await registeredBesidesSentinel(world)).toEqual([]);
});

test("with the default config it exports exactly the stack outputs of CONTRACTS.md, building apps/", async () => {
  pulumi.runtime.setAllConfig({});
  const entry = await importEntry();
  const exported = Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "default" && key !== "__esModule"));
  expect(Object.keys(exported).sort()).toEqual(
    ["apiProxyUrls", "clusterMode", "clusterName", "ipFamily", "kubeconfig", "kubeProxyMode", "loadBalancer", "localhostUrls", "namespace", "nodePortUrls", "nodes", "notes", "services"].sort(),
  );
  const outputs = await resolveOutputs(exported);
  expect(outputs.clusterMode).toBe("kind");
  expect(world.byName("svclab-image-build").inputs.build.context).toMatch(/[/\\]apps$/);
});
