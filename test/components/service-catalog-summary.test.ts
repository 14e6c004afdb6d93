import { installMocks, promiseOf } from "../support/pulumi-mocks";

// Load balancers answer differently: a cloud gives a hostname, a cluster with no
// implementation gives nothing at all.
const world = installMocks({
  state: (r) => {
    if (r.name === "cloud-frontend-lb") return { status: { loadBalancer: { ingress: [{ hostname: "lb-1.example.invalid" }] } } };
    if (r.name === "bare-frontend-lb") return { status: {} };
    return undefined;
  },
});

async function summaryOf(name: string) {
  const { ServiceCatalog } = await import("../../components/service-catalog");
  const { selectorLabels } = await import("../../components/labels");
  const catalog = new ServiceCatalog(name, {
    namespace: "svclab",
    frontendSelector: selectorLabels("frontend"),
    backendSelector: selectorLabels("backend"),
    kinds: ["loadbalancer"],
  });
  return (await promiseOf(catalog.summary))["frontend-lb"];
}

describe("the LoadBalancer address in the summary", () => {
  it("is the ingress hostname when the load balancer gives a name instead of an IP", async () => {
    expect((await summaryOf("cloud")).loadBalancerAddress).toBe("lb-1.example.invalid");
  });

  it("is left out while no load-balancer implementation has assigned one", async () => {
    const summary = await summaryOf("bare");
    expect(summary).not.toHaveProperty("loadBalancerAddress");
    expect(summary.type).toBe("LoadBalancer");
    expect(world.byName("bare-frontend-lb").inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
  });
});
