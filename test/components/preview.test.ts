import * as pulumi from "@pulumi/pulumi";
import { installMocks, promiseOf } from "../support/pulumi-mocks";

// The first `pulumi preview`: the cluster does not exist yet, so the namespace
// (like the kubeconfig) is unknown and only known after `pulumi up`.
const world = installMocks({ preview: true });

describe("the first preview, with the namespace still unknown", () => {
  it("plans every workload object and every Service without error", async () => {
    const { DemoApp } = await import("../../components/demo-app");
    const { ServiceCatalog } = await import("../../components/service-catalog");
    const { ProbeAgents } = await import("../../components/probe-agents");
    const namespace = pulumi.output<string>(pulumi.unknown as any);
    const image = pulumi.output<string>(pulumi.unknown as any);

    const app = new DemoApp("app", { namespace, image });
    const catalog = new ServiceCatalog("services", {
      namespace,
      frontendSelector: app.frontendSelector,
      backendSelector: app.backendSelector,
    });
    const probes = new ProbeAgents("probes", { namespace, image });
    await Promise.all([
      promiseOf(app.frontend.urn),
      promiseOf(app.backend.urn),
      promiseOf(probes.daemonSet.urn),
      ...Object.values(catalog.services).map((s) => promiseOf(s.urn)),
    ]);

    expect(world.byType("kubernetes:apps/v1:Deployment")).toHaveLength(2);
    expect(world.byType("kubernetes:apps/v1:DaemonSet")).toHaveLength(1);
    expect(world.byType("kubernetes:core/v1:Service")).toHaveLength(8);
    // Which Services exist is known in the preview even though their namespace is not.
    expect(Object.keys(catalog.services)).toHaveLength(8);
    expect(world.byName("services-frontend-nodeport").inputs.spec.ports[0].nodePort).toBe(30080);
  });
});
