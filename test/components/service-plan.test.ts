import { componentLabels, selectorLabels } from "../../components/labels";
import { planServices, SERVICE_CATALOG, SERVICE_KINDS, ServicePlanInput } from "../../components/service-plan";

const input: ServicePlanInput = {
  kinds: SERVICE_KINDS,
  frontendSelector: selectorLabels("frontend"),
  backendSelector: selectorLabels("backend"),
  nodePort: 30080,
  localNodePort: 30081,
  externalName: "backend.svclab.svc.cluster.local",
};

describe("the Service plan", () => {
  it("plans one Service per kind with the contract's names, in catalog order", () => {
    expect(planServices(input).map((s) => [s.kind, s.name, s.target])).toEqual([
      ["clusterip", "backend", "backend"],
      ["headless", "backend-headless", "backend"],
      ["nodeport", "frontend-nodeport", "frontend"],
      ["loadbalancer", "frontend-lb", "frontend"],
      ["etp-local", "frontend-local", "frontend"],
      ["sticky", "frontend-sticky", "frontend"],
      ["itp-local", "frontend-internal-local", "frontend"],
      ["externalname", "backend-external", "backend"],
    ]);
  });

  it("keeps catalog order whatever order the kinds are given in", () => {
    expect(planServices({ ...input, kinds: ["externalname", "clusterip"] }).map((s) => s.name)).toEqual([
      "backend",
      "backend-external",
    ]);
  });

  it("plans nothing for no kinds", () => {
    expect(planServices({ ...input, kinds: [] })).toEqual([]);
  });

  it("gives every kind a distinct Service name that is a DNS-1035 label", () => {
    const names = Object.values(SERVICE_CATALOG).map((c) => c.name);
    expect(new Set(names).size).toBe(SERVICE_KINDS.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it("opens a fixed node port only on the two NodePort Services; the LoadBalancer's is allocated", () => {
    const nodePorts = Object.fromEntries(planServices(input).map((s) => [s.name, (s.spec.ports as any[])[0].nodePort]));
    expect(nodePorts).toEqual({
      backend: undefined,
      "backend-headless": undefined,
      "frontend-nodeport": 30080,
      "frontend-lb": undefined,
      "frontend-local": 30081,
      "frontend-sticky": undefined,
      "frontend-internal-local": undefined,
      "backend-external": undefined,
    });
  });

  it("gives the ExternalName no selector and every other Service its target's selector", () => {
    for (const s of planServices(input)) {
      if (s.kind === "externalname") {
        expect(s.spec.selector).toBeUndefined();
      } else {
        expect(s.spec.selector).toEqual(selectorLabels(s.target));
      }
    }
  });
});

describe("labels", () => {
  it("selects by part-of and component only, a subset of the full labels", () => {
    for (const component of ["frontend", "backend", "probe"] as const) {
      expect(selectorLabels(component)).toEqual({
        "app.kubernetes.io/part-of": "svclab",
        "app.kubernetes.io/component": component,
      });
      expect(componentLabels(component)).toMatchObject(selectorLabels(component));
      expect(componentLabels(component)["app.kubernetes.io/managed-by"]).toBe("pulumi");
    }
  });
});
