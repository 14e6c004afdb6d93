import * as pulumi from "@pulumi/pulumi";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { fakeAppsDir } from "../stacks/fixtures";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
let apps: string;
beforeEach(() => {
  world.reset();
  apps = fakeAppsDir();
});
afterEach(() => rmSync(apps, { recursive: true, force: true }));

async function create(args: Record<string, unknown>) {
  const { DemoImage } = await import("../../components/demo-image");
  const seen: pulumi.ResourceTransformationArgs[] = [];
  const image = new DemoImage("demo", { context: apps, ...args }, { transformations: [(t) => void seen.push(t) as undefined] });
  await Promise.all([promiseOf(image.imageRef), promiseOf(image.urn)]);
  return { image, seen: seen.filter((t) => t.resource !== image) };
}

describe("DemoImage built from apps/", () => {
  test("builds for the native platform, never pushes, and tags by content, never latest", async () => {
    const { sourceHash } = await import("../../components/source-hash");
    await create({});
    const build = world.byName("demo-build");
    expect(build.type).toBe("docker:index/image:Image");
    expect(build.inputs.imageName).toBe(`svclab-demo:${sourceHash(apps)}`);
    expect(build.inputs.imageName).not.toMatch(/:latest$/);
    expect(build.inputs.skipPush).toBe(true);
    expect(build.inputs.build).toEqual({ context: apps, dockerfile: join(apps, "Dockerfile") });
    expect(build.inputs.build.platform).toBeUndefined();
  });

  test("loads the image into the kind cluster, again whenever the tag or the cluster changes", async () => {
    const { image, seen } = await create({ clusterName: "svclab", clusterInstanceId: "cluster-1" });
    const load = world.byName("demo-load");
    const tag = world.byName("demo-build").inputs.imageName;
    expect(load.type).toBe("command:local:Command");
    expect(load.inputs.create).toContain('kind load docker-image "$SVCLAB_IMAGE" --name "$SVCLAB_KIND_CLUSTER"');
    expect(load.inputs.environment).toEqual({ SVCLAB_IMAGE: tag, SVCLAB_KIND_CLUSTER: "svclab" });
    expect(load.inputs.triggers).toEqual([tag, "svclab", "cluster-1"]);
    expect(seen.every((t) => t.opts.parent === image)).toBe(true);
    expect(await promiseOf(image.imageRef)).toBe(tag);
    expect(image.imagePullPolicy).toBe("Never");
  });

  test("without a cluster it builds but loads nothing", async () => {
    const { image } = await create({});
    expect(world.byType("command:local:Command")).toEqual([]);
    expect(image.imagePullPolicy).toBe("Never");
  });

  test("registers its image reference and pull policy", async () => {
    const spy = jest.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
    try {
      await create({});
      const call = spy.mock.calls.find((c) => c[0] && "imageRef" in (c[0] as object));
      expect(Object.keys(call![0] as object).sort()).toEqual(["imagePullPolicy", "imageRef"]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("DemoImage with a prebuilt image", () => {
  test("builds nothing, loads nothing and lets the nodes pull it", async () => {
    const { image } = await create({ prebuiltImage: "ghcr.io/example/svclab-demo:1.2.3", clusterName: "svclab" });
    expect(world.resources.map((r) => r.type)).toEqual(["svclab:index:DemoImage"]);
    expect(await promiseOf(image.imageRef)).toBe("ghcr.io/example/svclab-demo:1.2.3");
    expect(image.imagePullPolicy).toBe("IfNotPresent");
  });
});

describe("DemoImage bad input", () => {
  test("a context without a Dockerfile is refused before anything is registered", async () => {
    const { DemoImage } = await import("../../components/demo-image");
    const missing = join(apps, "nowhere");
    expect(messageThrownBy(() => new DemoImage("bad", { context: missing }))).toBe(
      `context must be a directory holding Dockerfile; "${join(missing, "Dockerfile")}" does not exist`,
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  test("a prebuilt image with spaces is refused", async () => {
    const { DemoImage } = await import("../../components/demo-image");
    expect(messageThrownBy(() => new DemoImage("bad", { context: apps, prebuiltImage: "my image" }))).toBe(
      'prebuiltImage must be an image reference such as ghcr.io/example/svclab-demo:1.0; got "my image"',
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });
});
