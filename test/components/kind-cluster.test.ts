import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { registeredBesidesSentinel, messageThrownBy } from "./registration";
import { FAKE_KUBECONFIG, FAKE_NODES, kindCommandState } from "../stacks/fixtures";

const world = installMocks({ state: kindCommandState });

type Transform = pulumi.ResourceTransformationArgs;

async function createCluster(args: Record<string, unknown> = {}) {
  const { KindCluster } = await import("../../components/kind-cluster");
  const seen: Transform[] = [];
  const cluster = new KindCluster(
    "lab",
    { clusterName: "svclab", ...args },
    { transformations: [(t) => void seen.push(t) as undefined] },
  );
  await Promise.all([promiseOf(cluster.kubeconfig), promiseOf(cluster.provider.urn), promiseOf(cluster.urn)]);
  const command = world.byName("lab-kind");
  return { cluster, command, seen, options: seen.find((t) => t.name === "lab-kind")!.opts as pulumi.CustomResourceOptions };
}

beforeEach(() => world.reset());

describe("KindCluster", () => {
  test("runs the kind scripts with the cluster name in the environment and the kind config on stdin", async () => {
    const { command } = await createCluster({ workers: 3, portMappings: [{ containerPort: 30080, hostPort: 8080 }] });
    expect(command.type).toBe("command:local:Command");
    expect(command.inputs.create).toContain('kind create cluster --name "$SVCLAB_KIND_CLUSTER" --config - --wait 5m');
    expect(command.inputs.delete).toContain('kind delete cluster --name "$SVCLAB_KIND_CLUSTER"');
    expect(command.inputs.update).not.toContain("kind create");
    expect(command.inputs.environment).toEqual({ SVCLAB_KIND_CLUSTER: "svclab" });
    const config = parse(command.inputs.stdin);
    expect(config.nodes.map((n: any) => n.role)).toEqual(["control-plane", "worker", "worker", "worker"]);
    expect(config.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort: 8080, listenAddress: "127.0.0.1", protocol: "TCP" },
    ]);
  });

  test("keeps the kubeconfig out of the logs and marks stdout secret", async () => {
    const { command, options } = await createCluster();
    expect(command.inputs.logging).toBe("stderr");
    expect(options.additionalSecretOutputs).toEqual(["stdout"]);
  });

  test("replaces the cluster, deleting it first, when the layout changes", async () => {
    const { command, options } = await createCluster();
    expect(options.replaceOnChanges).toEqual(expect.arrayContaining(["triggers", "stdin"]));
    expect(options.deleteBeforeReplace).toBe(true);
    expect(command.inputs.triggers).toEqual(["svclab", command.inputs.stdin]);
  });

  test("a different node layout gives a different trigger", async () => {
    const { command: two } = await createCluster();
    world.reset();
    const { command: three } = await createCluster({ workers: 3 });
    expect(three.inputs.triggers).not.toEqual(two.inputs.triggers);
  });

  test("exposes the kubeconfig as a secret and the nodes in the clear", async () => {
    const { cluster } = await createCluster();
    expect(await promiseOf(cluster.kubeconfig)).toBe(FAKE_KUBECONFIG);
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    expect(await promiseOf(cluster.nodes)).toEqual(FAKE_NODES);
    expect(await pulumi.isSecret(cluster.nodes)).toBe(false);
    expect(await promiseOf(cluster.clusterName)).toBe("svclab");
    expect(await promiseOf(cluster.instanceId)).toBe("lab-kind-id");
  });

  test("builds an explicit Kubernetes provider from its own kubeconfig", async () => {
    const { cluster } = await createCluster();
    const provider = world.byName("lab-provider");
    expect(provider.type).toBe("pulumi:providers:kubernetes");
    // Sent as a secret: the engine stores it encrypted.
    expect(provider.inputs.kubeconfig).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: FAKE_KUBECONFIG,
    });
    expect(provider.inputs.context).toBeUndefined();
    expect(await promiseOf(cluster.provider.urn)).toContain("svclab:index:KindCluster$pulumi:providers:kubernetes::lab-provider");
  });

  test("parents the command and the provider to the component", async () => {
    const { cluster, seen } = await createCluster();
    const children = seen.filter((t) => t.resource !== cluster);
    expect(children.map((t) => [t.type, t.name])).toEqual([
      ["command:local:Command", "lab-kind"],
      ["pulumi:providers:kubernetes", "lab-provider"],
    ]);
    expect(children.every((t) => t.opts.parent === cluster)).toBe(true);
  });

  test("registers exactly its public outputs", async () => {
    const spy = jest.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
    try {
      await createCluster();
      const call = spy.mock.calls.find((c) => c[0] && "kubeconfig" in (c[0] as object));
      expect(Object.keys(call![0] as object).sort()).toEqual(["clusterName", "instanceId", "kubeconfig", "nodes"]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("KindCluster bad input", () => {
  test.each([
    [{ clusterName: "Svclab" }, 'clusterName must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit); got "Svclab"'],
    [{ clusterName: "svclab", workers: 0 }, "workers must be an integer of at least 1; got 0"],
    [{ clusterName: "svclab", podSubnet: "10.244.0.0/40" }, 'podSubnet must be a CIDR such as 10.244.0.0/16; got "10.244.0.0/40"'],
  ])("%j is refused before anything is registered", async (args, message) => {
    const { KindCluster } = await import("../../components/kind-cluster");
    expect(messageThrownBy(() => new KindCluster("bad", args as any))).toBe(message);
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });
});
