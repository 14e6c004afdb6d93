import { ownsCluster, readSnapshot } from "../../runner/stack-state";

const stackResource = { urn: "urn:pulumi:dev::svclab::pulumi:pulumi:Stack::svclab-dev", type: "pulumi:pulumi:Stack" };
const provider = { urn: "urn:pulumi:dev::svclab::pulumi:providers:command::default", type: "pulumi:providers:command" };
const kindCommand = (name: string) => ({
  urn: "urn:pulumi:dev::svclab::svclab:index:KindCluster$command:local:Command::lab-kind",
  type: "command:local:Command",
  inputs: { environment: { SVCLAB_KIND_CLUSTER: name } },
  outputs: { environment: { SVCLAB_KIND_CLUSTER: name } },
});
const container = { urn: "urn:pulumi:dev::svclab::docker:index/container:Container::lb", type: "docker:index/container:Container", inputs: { name: "cloud-provider-kind" }, outputs: { name: "cloud-provider-kind" } };

describe("readSnapshot", () => {
  it("finds the images the lab built and the ones it pulled", () => {
    const built = { urn: "urn:pulumi:dev::svclab::docker:index/image:Image::demo", type: "docker:index/image:Image", inputs: { imageName: "svclab-demo:abc123" }, outputs: { imageName: "svclab-demo:abc123" } };
    const pulled = { urn: "urn:pulumi:dev::svclab::docker:index/remoteImage:RemoteImage::ccm", type: "docker:index/remoteImage:RemoteImage", inputs: { name: "registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1" } };
    const snapshot = readSnapshot({ resources: [stackResource, built, pulled] });
    expect(snapshot.builtImages).toEqual(["svclab-demo:abc123"]);
    expect(snapshot.pulledImages).toEqual(["registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.11.1"]);
  });


  it("counts resources without the stack and providers, and finds the lab's cluster and container", () => {
    const snapshot = readSnapshot({ resources: [stackResource, provider, kindCommand("svclab"), container] });
    expect(snapshot).toEqual({
      resourceCount: 2,
      pendingOperations: [],
      clusterNames: ["svclab"],
      pendingClusterNames: [],
      containerNames: ["cloud-provider-kind"],
      pendingContainerNames: [],
      builtImages: [],
      pulledImages: [],
    });
    expect(ownsCluster(snapshot, "svclab")).toBe(true);
    expect(ownsCluster(snapshot, "other")).toBe(false);
  });

  it("treats a cluster whose create was interrupted as the lab's", () => {
    const pendingCluster = { ...kindCommand("svclab"), outputs: undefined };
    const snapshot = readSnapshot({ resources: [stackResource], pending_operations: [{ resource: pendingCluster, type: "creating" }, { resource: container, type: "creating" }] });
    expect(snapshot.pendingOperations).toEqual([
      { urn: pendingCluster.urn, type: "command:local:Command", operation: "creating" },
      { urn: container.urn, type: "docker:index/container:Container", operation: "creating" },
    ]);
    expect(snapshot.clusterNames).toEqual([]);
    expect(snapshot.pendingClusterNames).toEqual(["svclab"]);
    expect(snapshot.pendingContainerNames).toEqual(["cloud-provider-kind"]);
    expect(ownsCluster(snapshot, "svclab")).toBe(true);
  });

  it("ignores commands that do not name a kind cluster and reads an empty state as empty", () => {
    const otherCommand = { urn: "urn:x::load", type: "command:local:Command", inputs: { environment: { SVCLAB_IMAGE: "svclab-demo:abc" } } };
    expect(readSnapshot({ resources: [otherCommand] }).clusterNames).toEqual([]);
    expect(readSnapshot(undefined).resourceCount).toBe(0);
  });
});
