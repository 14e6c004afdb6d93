import * as pulumi from "@pulumi/pulumi";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks({
  state: (r) => (r.type === "docker:index/remoteImage:RemoteImage" ? { imageId: "sha256:cloud-provider-kind-image" } : undefined),
});
beforeEach(() => world.reset());

async function create(args: Partial<import("../../components/load-balancer-support").LoadBalancerSupportArgs> = {}) {
  const { LoadBalancerSupport } = await import("../../components/load-balancer-support");
  const seen: pulumi.ResourceTransformationArgs[] = [];
  const lb = new LoadBalancerSupport("lb", { clusterName: "svclab", ...args }, { transformations: [(t) => void seen.push(t) as undefined] });
  await Promise.all([promiseOf(lb.containerId), promiseOf(lb.implementation)]);
  return { lb, seen };
}

describe("LoadBalancerSupport", () => {
  test("pulls the pinned cloud-provider-kind image and keeps it", async () => {
    await create();
    const image = world.byName("lb-image");
    expect(image.type).toBe("docker:index/remoteImage:RemoteImage");
    expect(image.inputs.name).toBe("registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1");
    expect(image.inputs.keepLocally).toBe(true);
  });

  test("runs it on the kind network with the Docker socket, restarting unless stopped", async () => {
    await create();
    const container = world.byName("lb-container");
    expect(container.type).toBe("docker:index/container:Container");
    expect(container.inputs.networksAdvanced).toEqual([{ name: "kind" }]);
    expect(container.inputs.volumes).toEqual([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }]);
    expect(container.inputs.restart).toBe("unless-stopped");
    // LoadBalancer addresses only: no Gateway API CRDs, no default ingress in the lab's cluster.
    expect(container.inputs.command).toEqual(["--gateway-channel", "disabled", "--enable-default-ingress=false"]);
    expect(container.inputs.name).toBe("svclab-cloud-provider-kind");
    // The container runs exactly the image pulled above.
    expect(container.inputs.image).toBe("sha256:cloud-provider-kind-image");
  });

  test("names the container after the cluster, so labs with different cluster names do not collide", async () => {
    await create({ clusterName: "svclab-ci" });
    expect(world.byName("lb-container").inputs.name).toBe("svclab-ci-cloud-provider-kind");
  });

  test("is tied to the cluster's instance: a re-created cluster replaces the container, the old one going first", async () => {
    const { seen } = await create({ clusterName: "svclab", clusterInstanceId: pulumi.output("kind-command-id-1") });
    expect(world.byName("lb-container").inputs.labels).toEqual([
      { label: "svclab.cluster", value: "svclab" },
      { label: "svclab.cluster-instance", value: "kind-command-id-1" },
    ]);
    const container = seen.find((t) => t.name === "lb-container")!;
    expect(container.opts.replaceOnChanges).toEqual(["labels"]);
    expect((container.opts as pulumi.CustomResourceOptions).deleteBeforeReplace).toBe(true);
  });

  test("says which implementation it provides", async () => {
    const { lb } = await create();
    expect(await promiseOf(lb.implementation)).toBe("cloud-provider-kind");
    expect(await promiseOf(lb.containerId)).toBe("lb-container-id");
  });

  test("registers exactly its public outputs", async () => {
    const spy = jest.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
    try {
      await create();
      const call = spy.mock.calls.find((c) => c[0] && "implementation" in (c[0] as object));
      expect(Object.keys(call![0] as object).sort()).toEqual(["containerId", "implementation"]);
    } finally {
      spy.mockRestore();
    }
  });

  test("parents the image and the container to the component", async () => {
    const { lb, seen } = await create();
    const children = seen.filter((t) => t.resource !== lb);
    expect(children.map((t) => t.name)).toEqual(["lb-image", "lb-container"]);
    expect(children.every((t) => t.opts.parent === lb)).toBe(true);
  });
});

describe("LoadBalancerSupport bad input", () => {
  test.each([
    [{ image: "registry.k8s.io/cloud-provider-kind/cloud-controller-manager" }, "registry.k8s.io/cloud-provider-kind/cloud-controller-manager"],
    [{ image: "registry.k8s.io/cloud-provider-kind/cloud-controller-manager:latest" }, "registry.k8s.io/cloud-provider-kind/cloud-controller-manager:latest"],
  ])("an unpinned image %j is refused before anything is registered", async (args, image) => {
    const { LoadBalancerSupport } = await import("../../components/load-balancer-support");
    expect(messageThrownBy(() => new LoadBalancerSupport("bad", { clusterName: "svclab", ...args }))).toBe(
      "image must be a pinned image reference (a tag other than latest, or a digest) such as " +
        `registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1; got "${image}"`,
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  test("a network other than kind is refused", async () => {
    const { LoadBalancerSupport } = await import("../../components/load-balancer-support");
    expect(messageThrownBy(() => new LoadBalancerSupport("bad", { clusterName: "svclab", network: "bridge" as "kind" }))).toBe(
      'network must be "kind" (cloud-provider-kind only finds kind nodes there); got "bridge"',
    );
  });

  test("a cluster name that is not a DNS-1035 label is refused before anything is registered", async () => {
    const { LoadBalancerSupport } = await import("../../components/load-balancer-support");
    expect(messageThrownBy(() => new LoadBalancerSupport("bad", { clusterName: "Lab_1" }))).toMatch(/^clusterName must be a DNS-1035 label .*; got "Lab_1"$/);
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });

  test("a digest-pinned image is accepted", async () => {
    const { isPinnedImage } = await import("../../components/load-balancer-support");
    expect(isPinnedImage(`registry.k8s.io/x@sha256:${"a".repeat(64)}`)).toBe(true);
    expect(isPinnedImage("localhost:5000/x")).toBe(false);
    expect(isPinnedImage("localhost:5000/x:v1")).toBe(true);
  });
});
