import * as k8s from "@pulumi/kubernetes";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
let catalog: typeof import("../../components/service-catalog");
let demo: typeof import("../../components/demo-app");
let plan: typeof import("../../components/service-plan");

beforeAll(async () => {
  catalog = await import("../../components/service-catalog");
  demo = await import("../../components/demo-app");
  plan = await import("../../components/service-plan");
});
beforeEach(() => world.reset());

const SERVICE = "kubernetes:core/v1:Service";
const HTTP_PORT = { name: "http", protocol: "TCP", port: 80, targetPort: 3000 };
const FRONTEND = { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "frontend" };
const BACKEND = { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "backend" };

type Catalog = InstanceType<typeof catalog.ServiceCatalog>;

async function created(c: Catalog): Promise<void> {
  await promiseOf(c.urn);
  await Promise.all(Object.values(c.services).map((s) => promiseOf(s.urn)));
}

function sent(serviceName: string, component = "lab"): Record<string, any> {
  const r = world.byName(`${component}-${serviceName}`);
  expect(r.type).toBe(SERVICE);
  return r.inputs;
}

function newCatalog(extra: Record<string, unknown> = {}, opts?: Record<string, unknown>): Catalog {
  const args = { namespace: "svclab", frontendSelector: FRONTEND, backendSelector: BACKEND, ...extra } as any;
  return new catalog.ServiceCatalog("lab", args, opts);
}

describe("ServiceCatalog", () => {
  it("creates the eight Services of the contract by default, named as CONTRACTS.md says", async () => {
    const c = newCatalog();
    await created(c);
    const names = [
      "backend",
      "backend-headless",
      "frontend-nodeport",
      "frontend-lb",
      "frontend-local",
      "frontend-sticky",
      "frontend-internal-local",
      "backend-external",
    ];
    expect(Object.keys(c.services)).toEqual(names);
    expect(world.byType(SERVICE).map((r) => r.inputs.metadata.name).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(sent(name).metadata.namespace).toBe("svclab");
    }
  });

  it("exposes every Service on port 80 named http, forwarding to targetPort 3000", async () => {
    await created(newCatalog());
    for (const r of world.byType(SERVICE)) {
      expect(r.inputs.spec.ports).toHaveLength(1);
      expect(r.inputs.spec.ports[0]).toMatchObject(HTTP_PORT);
    }
  });

  it("sends each Service the type and policies of its kind", async () => {
    await created(newCatalog());
    const specs = Object.fromEntries(world.byType(SERVICE).map((r) => [r.inputs.metadata.name, r.inputs.spec]));
    expect(specs["backend"]).toEqual({ type: "ClusterIP", selector: BACKEND, ports: [HTTP_PORT] });
    expect(specs["backend-headless"]).toEqual({ type: "ClusterIP", clusterIP: "None", selector: BACKEND, ports: [HTTP_PORT] });
    expect(specs["frontend-nodeport"]).toEqual({
      type: "NodePort",
      externalTrafficPolicy: "Cluster",
      selector: FRONTEND,
      ports: [{ ...HTTP_PORT, nodePort: 30080 }],
    });
    expect(specs["frontend-lb"]).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Cluster",
      selector: FRONTEND,
      ports: [HTTP_PORT],
    });
    expect(specs["frontend-local"]).toEqual({
      type: "NodePort",
      externalTrafficPolicy: "Local",
      selector: FRONTEND,
      ports: [{ ...HTTP_PORT, nodePort: 30081 }],
    });
    expect(specs["frontend-sticky"]).toEqual({ type: "ClusterIP", sessionAffinity: "ClientIP", selector: FRONTEND, ports: [HTTP_PORT] });
    expect(specs["frontend-internal-local"]).toEqual({
      type: "ClusterIP",
      internalTrafficPolicy: "Local",
      selector: FRONTEND,
      ports: [HTTP_PORT],
    });
    expect(specs["backend-external"]).toEqual({
      type: "ExternalName",
      externalName: "backend.svclab.svc.cluster.local",
      ports: [HTTP_PORT],
    });
  });

  it("selects exactly the pods of the DemoApp Deployments: frontend Services the frontend, backend Services the backend", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: "svclab-demo:1" });
    const c = new catalog.ServiceCatalog("lab", {
      namespace: "svclab",
      frontendSelector: app.frontendSelector,
      backendSelector: app.backendSelector,
    });
    await Promise.all([created(c), promiseOf(app.frontend.urn), promiseOf(app.backend.urn)]);
    const podLabels = {
      frontend: world.byName("app-frontend").inputs.spec.template.metadata.labels,
      backend: world.byName("app-backend").inputs.spec.template.metadata.labels,
    };
    const targets: Record<string, "frontend" | "backend"> = {
      backend: "backend",
      "backend-headless": "backend",
      "frontend-nodeport": "frontend",
      "frontend-lb": "frontend",
      "frontend-local": "frontend",
      "frontend-sticky": "frontend",
      "frontend-internal-local": "frontend",
    };
    for (const [name, target] of Object.entries(targets)) {
      const selector = sent(name).spec.selector;
      const other = target === "frontend" ? "backend" : "frontend";
      expect(podLabels[target]).toMatchObject(selector);
      expect(podLabels[other]).not.toMatchObject(selector);
    }
    expect(sent("backend-external").spec.selector).toBeUndefined();
  });

  it("selects the DemoApp pods when no selectors are given", async () => {
    const c = new catalog.ServiceCatalog("lab", { namespace: "svclab", kinds: ["clusterip", "nodeport"] });
    await created(c);
    expect(sent("backend").spec.selector).toEqual(BACKEND);
    expect(sent("frontend-nodeport").spec.selector).toEqual(FRONTEND);
  });

  it("labels each Service with the component it fronts", async () => {
    await created(newCatalog());
    for (const r of world.byType(SERVICE)) {
      const component = r.inputs.metadata.name.startsWith("frontend") ? "frontend" : "backend";
      expect(r.inputs.metadata.labels).toEqual({
        "app.kubernetes.io/part-of": "svclab",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/component": component,
      });
    }
  });

  it("does not wait for a load-balancer address by default: only frontend-lb carries skipAwait", async () => {
    await created(newCatalog());
    expect(sent("frontend-lb").metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    const others = world.byType(SERVICE).filter((r) => r.inputs.metadata.name !== "frontend-lb");
    expect(others.map((r) => r.inputs.metadata.annotations)).toEqual(others.map(() => undefined));
  });

  it("waits for the load-balancer address when awaitLoadBalancer is set", async () => {
    await created(newCatalog({ awaitLoadBalancer: true }));
    expect(sent("frontend-lb").metadata.annotations).toBeUndefined();
  });

  it("creates only the chosen kinds", async () => {
    const c = newCatalog({ kinds: ["nodeport", "headless"] });
    await created(c);
    expect(Object.keys(c.services)).toEqual(["backend-headless", "frontend-nodeport"]);
    expect(world.byType(SERVICE).map((r) => r.inputs.metadata.name).sort()).toEqual(["backend-headless", "frontend-nodeport"]);
  });

  it("uses the given nodePorts and ExternalName target", async () => {
    await created(newCatalog({ nodePort: 31000, localNodePort: 32767, externalName: "example.invalid" }));
    expect(sent("frontend-nodeport").spec.ports[0].nodePort).toBe(31000);
    expect(sent("frontend-local").spec.ports[0].nodePort).toBe(32767);
    expect(sent("backend-external").spec.externalName).toBe("example.invalid");
  });

  it("allows nodePort and localNodePort to coincide when only one of their Services is created", async () => {
    const c = newCatalog({ kinds: ["nodeport"], nodePort: 30081 });
    await created(c);
    expect(sent("frontend-nodeport").spec.ports[0].nodePort).toBe(30081);
  });

  it("summarises type, clusterIP, port, nodePort and load-balancer address of every Service, leaving out what does not apply", async () => {
    const c = newCatalog();
    const summary = await promiseOf(c.summary);
    expect(Object.keys(summary)).toEqual(Object.keys(c.services));
    expect(summary["backend"]).toStrictEqual({
      type: "ClusterIP",
      clusterIP: expect.stringMatching(/^10\.96\.0\.\d+$/),
      port: 80,
    });
    expect(summary["backend-headless"]).toStrictEqual({ type: "ClusterIP", clusterIP: "None", port: 80 });
    expect(summary["frontend-nodeport"]).toStrictEqual({
      type: "NodePort",
      clusterIP: expect.stringMatching(/^10\.96\.0\.\d+$/),
      port: 80,
      nodePort: 30080,
    });
    expect(summary["frontend-local"]).toMatchObject({ type: "NodePort", nodePort: 30081 });
    expect(summary["frontend-lb"]).toEqual({
      type: "LoadBalancer",
      clusterIP: expect.stringMatching(/^10\.96\.0\.\d+$/),
      port: 80,
      nodePort: expect.any(Number),
      loadBalancerAddress: "172.18.0.100",
    });
    expect(summary["backend-external"]).toStrictEqual({ type: "ExternalName", port: 80 });
  });

  it("parents every Service to the component and uses the provider passed in opts", async () => {
    const provider = new k8s.Provider("p", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const c = newCatalog({}, { provider });
    await created(c);
    for (const [name, service] of Object.entries(c.services)) {
      expect(await promiseOf(service.urn)).toContain(`svclab:index:ServiceCatalog$kubernetes:core/v1:Service::lab-${name}`);
      expect(world.byName(`lab-${name}`).provider).toMatch(/pulumi:providers:kubernetes::p::/);
    }
  });

  it("passes a provider given in a providers list, as the stack does, to every Service", async () => {
    const provider = new k8s.Provider("listed", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const c = newCatalog({ kinds: ["clusterip", "loadbalancer"] }, { providers: [provider] });
    await created(c);
    for (const name of Object.keys(c.services)) {
      expect(world.byName(`lab-${name}`).provider).toMatch(/pulumi:providers:kubernetes::listed::/);
    }
  });

  it("exports every ServiceKind in SERVICE_KINDS", () => {
    expect(plan.SERVICE_KINDS).toEqual([
      "clusterip",
      "headless",
      "nodeport",
      "loadbalancer",
      "etp-local",
      "sticky",
      "itp-local",
      "externalname",
    ]);
  });

  describe("refuses bad input before creating anything", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        "a nodePort below the NodePort range",
        { nodePort: 8080 },
        "ServiceCatalog.nodePort must be an integer in the NodePort range 30000-32767; got 8080",
      ],
      [
        "a localNodePort above the NodePort range",
        { localNodePort: 32768 },
        "ServiceCatalog.localNodePort must be an integer in the NodePort range 30000-32767; got 32768",
      ],
      [
        "the same nodePort twice",
        { nodePort: 30090, localNodePort: 30090 },
        "nodePort 30090 is used twice (ServiceCatalog.nodePort and ServiceCatalog.localNodePort); each nodePort must be different",
      ],
      [
        "an unknown Service kind",
        { kinds: ["nodeport", "ingress"] },
        'ServiceCatalog.kinds[1] must be one of "clusterip", "headless", "nodeport", "loadbalancer", ' +
          '"etp-local", "sticky", "itp-local", "externalname"; got "ingress"',
      ],
      [
        "a Service kind listed twice",
        { kinds: ["sticky", "headless", "sticky"] },
        'Service kind "sticky" is used twice (ServiceCatalog.kinds[0] and ServiceCatalog.kinds[2]); each Service kind must be different',
      ],
      [
        "a namespace that is not a DNS-1035 label",
        { namespace: "1lab" },
        'ServiceCatalog.namespace must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ' +
          'starting with a letter and ending with a letter or digit); got "1lab"',
      ],
      [
        "an externalName that is not a DNS name",
        { externalName: "http://example.invalid" },
        'ServiceCatalog.externalName must be a DNS name (lowercase letters, digits, "-" and ".", each label ' +
          'starting and ending with a letter or digit, at most 253 characters); got "http://example.invalid"',
      ],
      [
        "an empty frontend selector",
        { frontendSelector: {} },
        "ServiceCatalog.frontendSelector must have at least one label; got {}",
      ],
    ];
    it.each(cases)("%s", async (_case, override, message) => {
      expect(messageThrownBy(() => newCatalog(override))).toBe(message);
      expect(await registeredBesidesSentinel(world)).toEqual([]);
    });
  });
});
