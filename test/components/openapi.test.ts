import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { validateK8sObject, validateRecordedK8sObjects } from "../support/k8s-openapi";
import { restrictedViolations } from "../support/restricted-pss";

const world = installMocks();

/** Builds the whole in-cluster lab, as the stack does, and waits until every object is registered. */
async function buildLab(): Promise<void> {
  const { LabNamespace } = await import("../../components/lab-namespace");
  const { DemoApp } = await import("../../components/demo-app");
  const { ServiceCatalog } = await import("../../components/service-catalog");
  const { ProbeAgents } = await import("../../components/probe-agents");
  const ns = new LabNamespace("lab");
  const app = new DemoApp("app", { namespace: ns.name, image: "svclab-demo:3f9a1c2b" });
  const catalog = new ServiceCatalog("services", {
    namespace: ns.name,
    frontendSelector: app.frontendSelector,
    backendSelector: app.backendSelector,
  });
  const probes = new ProbeAgents("probes", { namespace: ns.name, image: "svclab-demo:3f9a1c2b" });
  await Promise.all([
    promiseOf(app.frontend.urn),
    promiseOf(app.backend.urn),
    promiseOf(probes.daemonSet.urn),
    ...Object.values(catalog.services).map((s) => promiseOf(s.urn)),
  ]);
}

beforeAll(buildLab);

const podTemplates = () =>
  world.resources
    .filter((r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:apps/v1:DaemonSet")
    .map((r) => [r.name, r.inputs.spec.template.spec] as const);

describe("every Kubernetes object the components create", () => {
  it("is valid against the Kubernetes OpenAPI schema", () => {
    // 1 Namespace + 2 Deployments + 8 Services + 1 DaemonSet + the probe token Secret
    expect(validateRecordedK8sObjects(world.resources)).toBe(13);
  });

  it("includes each kind the kit uses", () => {
    const types = new Set(world.resources.map((r) => r.type));
    for (const type of [
      "kubernetes:core/v1:Namespace",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:core/v1:Service",
      "kubernetes:apps/v1:DaemonSet",
    ]) {
      expect(types).toContain(type);
    }
  });
});

describe("the OpenAPI check itself", () => {
  it("rejects a Service whose port is a string", () => {
    const service = world.resources.find((r) => r.name === "services-frontend-nodeport")!.inputs;
    const broken = { ...service, spec: { ...service.spec, ports: [{ name: "http", port: "80" }] } };
    expect(() => validateK8sObject("kubernetes:core/v1:Service", broken)).toThrow(
      "kubernetes:core/v1:Service svclab/frontend-nodeport violates the Kubernetes OpenAPI schema: data/spec/ports/0/port must be integer",
    );
  });

  it("rejects a Deployment without a selector", () => {
    const deployment = world.resources.find((r) => r.name === "app-frontend")!.inputs;
    const { selector: _dropped, ...specWithoutSelector } = deployment.spec;
    expect(() => validateK8sObject("kubernetes:apps/v1:Deployment", { ...deployment, spec: specWithoutSelector })).toThrow(
      "kubernetes:apps/v1:Deployment svclab/frontend violates the Kubernetes OpenAPI schema: data/spec must have required property selector",
    );
  });

  it("refuses a type it has no model for instead of passing it", () => {
    expect(() => validateK8sObject("kubernetes:example.com/v1:Widget", {})).toThrow(
      "no OpenAPI model for kubernetes:example.com/v1:Widget; add it to test/support/k8s-openapi.ts",
    );
  });
});

describe("the restricted Pod Security Standard", () => {
  it("admits every pod template: frontend, backend and probe", () => {
    const templates = podTemplates();
    expect(templates.map(([name]) => name).sort()).toEqual(["app-backend", "app-frontend", "probes-probe"]);
    for (const [name, pod] of templates) {
      expect({ name, violations: restrictedViolations(pod) }).toEqual({ name, violations: [] });
    }
  });

  it("would catch a privileged, root, writable container without limits", () => {
    const pod = {
      hostNetwork: true,
      volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
      containers: [{ name: "bad", securityContext: { runAsUser: 0, privileged: true, capabilities: { add: ["NET_ADMIN"] } }, ports: [{ containerPort: 80, hostPort: 80 }] }],
    };
    expect(restrictedViolations(pod)).toEqual([
      "pod: hostNetwork must not be true",
      "volume docker: hostPath volumes are not allowed",
      "container bad: privileged must not be true",
      "container bad: allowPrivilegeEscalation must be false",
      "container bad: capabilities must drop ALL",
      "container bad: capability NET_ADMIN must not be added",
      "container bad: runAsNonRoot must be true",
      "container bad: runAsUser must not be 0",
      "container bad: seccompProfile must be RuntimeDefault or Localhost",
      "container bad: hostPort must not be set",
      "container bad: readOnlyRootFilesystem must be true",
      "container bad: resources.requests.cpu must be set",
      "container bad: resources.requests.memory must be set",
      "container bad: resources.limits.cpu must be set",
      "container bad: resources.limits.memory must be set",
    ]);
  });
});
