/**
 * The component type tokens are public API (docs/versioning.md): every
 * component the package exports is created under Pulumi's mocks, and the
 * tokens registered must be exactly the table in docs/versioning.md, so a
 * renamed, added or removed component is noticed in the docs and CHANGELOG.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kindCommandState } from "../stacks/fixtures";
import { installMocks, promiseOf } from "../support/pulumi-mocks";

// Loading every component (the Kubernetes SDK among them) is slow on a loaded machine: a generous limit, no timing.
jest.setTimeout(5 * 60_000);

const repo = resolve(__dirname, "..", "..");
// The kind create command "prints" a cluster report, as a real run would.
const world = installMocks({ state: kindCommandState });

/** `component → token` from the table in docs/versioning.md. */
function documentedTokens(): Record<string, string> {
  const rows = [...readFileSync(join(repo, "docs", "versioning.md"), "utf8").matchAll(/^\| `(\w+)` \| `([\w:]+)` \| (\d+\.\d+\.\d+) \|$/gm)];
  return Object.fromEntries(rows.map((row) => [row[1], row[2]]));
}

const KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "current-context: lab",
  "clusters: [{ name: lab, cluster: { server: \"https://127.0.0.1:6443\" } }]",
  "contexts: [{ name: lab, context: { cluster: lab, user: me } }]",
  "users: [{ name: me, user: { token: t } }]",
  "",
].join("\n");

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "svclab-tokens-"));
  writeFileSync(join(scratch, "kubeconfig"), KUBECONFIG);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the package exports exactly the documented components", async () => {
  const entry = (await import("../../index")) as Record<string, unknown>;
  const components = Object.entries(entry)
    .filter(([, value]) => typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof pulumi.ComponentResource)
    .map(([name]) => name);
  expect(components.sort()).toEqual(Object.keys(documentedTokens()).sort());
});

test("each component registers the type token docs/versioning.md states for it", async () => {
  const svclab = await import("../../index");
  const selector = { "app.kubernetes.io/component": "frontend" };
  const created: Record<string, pulumi.ComponentResource> = {
    KindCluster: new svclab.KindCluster("tokens-kind", { clusterName: "tokens" }),
    LoadBalancerSupport: new svclab.LoadBalancerSupport("tokens-lb", { clusterName: "tokens" }),
    DemoImage: new svclab.DemoImage("tokens-image", { prebuiltImage: "ghcr.io/example/svclab-demo:1.0" }),
    ExistingCluster: new svclab.ExistingCluster("tokens-existing", { kubeconfig: join(scratch, "kubeconfig"), context: "lab" }),
    LabNamespace: new svclab.LabNamespace("tokens-namespace", {}),
    DemoApp: new svclab.DemoApp("tokens-app", { namespace: "svclab", image: "ghcr.io/example/svclab-demo:1.0" }),
    ServiceCatalog: new svclab.ServiceCatalog("tokens-services", { namespace: "svclab", frontendSelector: selector, backendSelector: selector }),
    ProbeAgents: new svclab.ProbeAgents("tokens-probes", { namespace: "svclab", image: "ghcr.io/example/svclab-demo:1.0" }),
  };
  // A URN is urn:pulumi:<stack>::<project>::<parent types$>type::name: the token is the last type.
  const registered: Record<string, string | undefined> = {};
  for (const [component, resource] of Object.entries(created)) {
    registered[component] = (await promiseOf(resource.urn)).split("::")[2]?.split("$").pop();
  }
  expect(registered).toEqual(documentedTokens());
  // And nothing else of svclab's namespace: a child component with a token of its own would be public too.
  const svclabTypes = [...new Set(world.resources.map((r) => r.type).filter((type) => type.startsWith("svclab:")))];
  expect(svclabTypes.sort()).toEqual(Object.values(documentedTokens()).sort());
});

test("the CHANGELOG keeps Keep a Changelog's shape, with 0.x semantic versions and the package's version", () => {
  const changelog = readFileSync(join(repo, "CHANGELOG.md"), "utf8");
  const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string };
  expect(version).toMatch(/^0\.\d+\.\d+$/);
  const headings = [...changelog.matchAll(/^## \[([^\]]+)\](.*)$/gm)].map((m) => [m[1], m[2]]);
  expect(headings.length).toBeGreaterThan(0);
  for (const [name, rest] of headings) {
    expect([name, rest]).toEqual(name === "Unreleased" ? ["Unreleased", ""] : [expect.stringMatching(/^0\.\d+\.\d+$/), expect.stringMatching(/^ - \d{4}-\d{2}-\d{2}$/)]);
  }
  // The version package.json carries is either released (a heading of its own) or the one Unreleased leads to.
  expect(changelog.includes(`## [${version}]`) || changelog.includes(`(${version})`)).toBe(true);
  for (const token of Object.values(documentedTokens())) expect([token, changelog.includes(token)]).toEqual([token, true]);
});
