/**
 * The whole stack under mocks with the default config: a kind cluster,
 * cloud-provider-kind, the demo image built and loaded, and the lab inside.
 */
import * as pulumi from "@pulumi/pulumi";
import { rmSync } from "node:fs";
import { installMocks } from "../support/pulumi-mocks";
import { validateRecordedK8sObjects } from "../support/k8s-openapi";
import { FAKE_KUBECONFIG, FAKE_NODES, fakeAppsDir, kindCommandState, resolveOutputs, waitFor } from "./fixtures";

const world = installMocks({ state: kindCommandState });
const apps = fakeAppsDir();
let outputs: Record<string, unknown>;
let lab: import("../../stacks/lab").LabOutputs;
/** The options the ordering-sensitive components were created with (the mocks do not record dependsOn). */
const registered = new Map<string, pulumi.ComponentResourceOptions | undefined>();
jest.doMock("../../components", () => {
  const actual = jest.requireActual("../../components");
  const recording = (Base: any) =>
    class extends Base {
      constructor(name: string, args: unknown, opts?: pulumi.ComponentResourceOptions) {
        registered.set(name, opts);
        super(name, args, opts);
      }
    };
  return { ...actual, LoadBalancerSupport: recording(actual.LoadBalancerSupport), ServiceCatalog: recording(actual.ServiceCatalog) };
});

beforeAll(async () => {
  pulumi.runtime.setAllConfig({});
  const { loadConfig } = await import("../../stacks/config");
  const { createLab } = await import("../../stacks/lab");
  lab = createLab(loadConfig(), { appsDir: apps });
  outputs = await resolveOutputs(lab as any);
  await waitFor(() => world.byType("kubernetes:apps/v1:DaemonSet").length === 1, "the probe DaemonSet");
});
afterAll(() => rmSync(apps, { recursive: true, force: true }));

const k8sObjects = () => world.resources.filter((r) => r.type.startsWith("kubernetes:"));

describe("the stack with the default config", () => {
  test("creates the kind cluster, cloud-provider-kind, the image and the whole lab", () => {
    const counts: Record<string, number> = {};
    for (const r of world.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toMatchObject({
      "svclab:index:KindCluster": 1,
      "command:local:Command": 2, // the cluster and the image load
      "pulumi:providers:kubernetes": 1,
      "svclab:index:LoadBalancerSupport": 1,
      "docker:index/remoteImage:RemoteImage": 1,
      "docker:index/container:Container": 1,
      "docker:index/image:Image": 1,
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:apps/v1:Deployment": 2,
      "kubernetes:core/v1:Service": 8,
      "kubernetes:apps/v1:DaemonSet": 1,
    });
  });

  test("starts cloud-provider-kind only after the cluster (its kind network exists only then), and the Services after it", () => {
    const namesOf = (opts: pulumi.ComponentResourceOptions | undefined) => (opts?.dependsOn as pulumi.Resource[] | undefined)?.map((r) => (r as any).__name);
    expect(namesOf(registered.get("svclab-lb"))).toEqual(["svclab-cluster"]);
    expect(namesOf(registered.get("svclab-services"))).toEqual(["svclab-lb"]);
  });

  test("ties cloud-provider-kind to this creation of the cluster (the kind command's id), so a replaced cluster gets a new one", () => {
    const container = world.byType("docker:index/container:Container")[0];
    expect(container.inputs.name).toBe("svclab-cloud-provider-kind");
    expect(container.inputs.labels).toEqual([
      { label: "svclab.cluster", value: "svclab" },
      { label: "svclab.cluster-instance", value: "svclab-cluster-kind-id" },
    ]);
  });

  test("sends every Kubernetes object through the kind cluster's provider, none through the ambient context", () => {
    // A provider reference is "<provider URN>::<provider id>".
    const providers = [...new Set(k8sObjects().map((r) => r.provider))];
    expect(providers).toEqual([
      "urn:pulumi:test::svclab::svclab:index:KindCluster$pulumi:providers:kubernetes::svclab-cluster-provider::svclab-cluster-provider-id",
    ]);
  });

  test("every Kubernetes object it creates is valid against the OpenAPI schema", () => {
    expect(validateRecordedK8sObjects(world.resources)).toBe(13); // + the probe token Secret
  });

  test("runs the built image, loaded into kind, with a pull policy that never asks a registry", () => {
    const tag = world.byName("svclab-image-build").inputs.imageName;
    expect(tag).toMatch(/^svclab-demo:[0-9a-f]{12}$/);
    const load = world.byName("svclab-image-load");
    expect(load.inputs.environment).toEqual({ SVCLAB_IMAGE: tag, SVCLAB_KIND_CLUSTER: "svclab" });
    // A re-created cluster (new command id) has empty nodes: the load runs again.
    expect(load.inputs.triggers).toEqual([tag, "svclab", "svclab-cluster-kind-id"]);
    for (const workload of [...world.byType("kubernetes:apps/v1:Deployment"), ...world.byType("kubernetes:apps/v1:DaemonSet")]) {
      const [container] = workload.inputs.spec.template.spec.containers;
      expect([workload.name, container.image, container.imagePullPolicy]).toEqual([workload.name, tag, "Never"]);
    }
  });

  test("forwards localhost:30080 to the NodePort on the control-plane node", () => {
    const config = require("yaml").parse(world.byName("svclab-cluster-kind").inputs.stdin);
    expect(config.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort: 30080, listenAddress: "127.0.0.1", protocol: "TCP" },
    ]);
  });

  test("gives kind the IP family and kube-proxy mode the outputs show", () => {
    const config = require("yaml").parse(world.byName("svclab-cluster-kind").inputs.stdin);
    expect([config.networking.ipFamily, config.networking.kubeProxyMode]).toEqual([outputs.ipFamily, outputs.kubeProxyMode]);
  });

  test("awaits the LoadBalancer address because cloud-provider-kind will assign one", () => {
    const lb = k8sObjects().find((r) => r.inputs.metadata?.name === "frontend-lb")!;
    expect(lb.inputs.spec.type).toBe("LoadBalancer");
    expect(lb.inputs.metadata.annotations?.["pulumi.com/skipAwait"]).toBeUndefined();
  });

  test("exports the flat outputs of CONTRACTS.md", () => {
    expect(Object.keys(outputs).sort()).toEqual(
      ["apiProxyUrls", "clusterMode", "clusterName", "ipFamily", "kubeconfig", "kubeProxyMode", "loadBalancer", "localhostUrls", "namespace", "nodePortUrls", "nodes", "notes", "services"].sort(),
    );
    expect(outputs.clusterMode).toBe("kind");
    expect(outputs.clusterName).toBe("svclab");
    expect(outputs.namespace).toBe("svclab");
    expect(outputs.kubeconfig).toBe(FAKE_KUBECONFIG);
    expect(outputs.nodes).toEqual(FAKE_NODES);
    expect(outputs.loadBalancer).toBe("cloud-provider-kind");
    expect([outputs.ipFamily, outputs.kubeProxyMode]).toEqual(["ipv4", "iptables"]);
    expect(outputs.notes).toEqual([]);
    expect(JSON.parse(JSON.stringify(outputs))).toEqual(outputs);
  });

  test("keeps the kubeconfig output secret", async () => {
    expect(await pulumi.isSecret(lab.kubeconfig)).toBe(true);
    expect(await pulumi.isSecret(lab.nodes)).toBe(false);
  });

  test("lists every Service with its type, clusterIP, port, nodePort and load-balancer address", () => {
    const services = outputs.services as Record<string, any>;
    expect(Object.keys(services).sort()).toEqual(
      ["backend", "backend-external", "backend-headless", "frontend-internal-local", "frontend-lb", "frontend-local", "frontend-nodeport", "frontend-sticky"].sort(),
    );
    expect(services["frontend-nodeport"]).toMatchObject({ type: "NodePort", port: 80, nodePort: 30080 });
    expect(services["frontend-lb"]).toMatchObject({ type: "LoadBalancer", loadBalancerAddress: "172.18.0.100" });
    // docs/CONTRACTS.md: null, not a missing key, where a field does not apply.
    expect(services["backend-external"]).toStrictEqual({ type: "ExternalName", clusterIP: null, port: 80, nodePort: null, loadBalancerAddress: null });
  });

  test("gives ready-to-paste URLs: every node's NodePort, the localhost mapping and the API proxy", () => {
    expect((outputs.nodePortUrls as any)["frontend-nodeport"]).toEqual([
      "http://172.18.0.2:30080",
      "http://172.18.0.3:30080",
      "http://172.18.0.4:30080",
    ]);
    expect((outputs.nodePortUrls as any)["frontend-local"]).toHaveLength(3);
    expect(outputs.localhostUrls).toEqual({ "frontend-nodeport": ["http://127.0.0.1:30080"] });
    expect((outputs.apiProxyUrls as any).backend).toBe("http://localhost:8001/api/v1/namespaces/svclab/services/backend:http/proxy/");
    expect(Object.keys(outputs.apiProxyUrls as object)).toHaveLength(8);
  });
});
