/**
 * DemoImage's default build context is the `apps/` shipped with svclab,
 * found from the TypeScript sources and from the published JavaScript inside
 * a consumer's node_modules, never the consumer's own `apps/`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findDemoAppDir } from "../../components/demo-app-dir";
import { installMocks, promiseOf } from "../support/pulumi-mocks";

const repo = resolve(__dirname, "..", "..");
const world = installMocks();

let scratch: string;
beforeEach(() => {
  world.reset();
  scratch = mkdtempSync(join(tmpdir(), "svclab-app-dir-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function writePackage(dir: string, name: string): void {
  mkdirSync(join(dir, "apps"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name }));
  writeFileSync(join(dir, "apps", "Dockerfile"), "FROM scratch\n");
}

test("from the TypeScript sources (components/) it is the checkout's apps/", () => {
  expect(findDemoAppDir(join(repo, "components"))).toBe(join(repo, "apps"));
});

test("from the published lib/components/ in a consumer's node_modules it is the package's apps/, not the consumer's", () => {
  writePackage(scratch, "my-infra");
  const installed = join(scratch, "node_modules", "svclab");
  writePackage(installed, "svclab");
  mkdirSync(join(installed, "lib", "components"), { recursive: true });
  expect(findDemoAppDir(join(installed, "lib", "components"))).toBe(join(installed, "apps"));
});

test("outside any svclab package it names where it looked and what to pass instead", () => {
  writePackage(scratch, "my-infra");
  const copied = join(scratch, "vendor", "components");
  mkdirSync(copied, { recursive: true });
  expect(() => findDemoAppDir(copied)).toThrow(
    `no package.json named svclab in ${join(scratch, "vendor")}, ${scratch}, ${join(scratch, "..")}: cannot find the demo app's source; pass DemoImage's context`,
  );
});

test("DemoImage without a context builds the shipped apps/", async () => {
  const { DemoImage } = await import("../../components/demo-image");
  const image = new DemoImage("demo", {});
  await Promise.all([promiseOf(image.imageRef), promiseOf(image.urn)]);
  const build = world.byName("demo-build");
  expect(build.inputs.build).toEqual({ context: join(repo, "apps"), dockerfile: join(repo, "apps", "Dockerfile") });
});

test("DemoImage with a prebuilt image and no context looks for no source", async () => {
  const { DemoImage } = await import("../../components/demo-image");
  const image = new DemoImage("demo", { prebuiltImage: "ghcr.io/example/svclab-demo:1.0" });
  expect(await promiseOf(image.imageRef)).toBe("ghcr.io/example/svclab-demo:1.0");
  expect(world.byType("docker:index/image:Image")).toEqual([]);
});
