import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
let demo: typeof import("../../components/demo-app");

beforeAll(async () => {
  demo = await import("../../components/demo-app");
});
beforeEach(() => world.reset());

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const IMAGE = "svclab-demo:3f9a1c2b";

function deploymentSent(name: string): Record<string, any> {
  const r = world.byName(name);
  expect(r.type).toBe(DEPLOYMENT);
  return r.inputs;
}

function container(inputs: Record<string, any>): Record<string, any> {
  expect(inputs.spec.template.spec.containers).toHaveLength(1);
  return inputs.spec.template.spec.containers[0];
}

function envOf(c: Record<string, any>): Record<string, any> {
  return Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe("DemoApp", () => {
  it("creates a frontend and a backend Deployment with fixed names, 3 and 2 replicas by default", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.urn);
    await promiseOf(app.frontend.urn);
    await promiseOf(app.backend.urn);

    expect(world.byType(DEPLOYMENT).map((r) => r.name).sort()).toEqual(["app-backend", "app-frontend"]);
    const frontend = deploymentSent("app-frontend");
    const backend = deploymentSent("app-backend");
    expect(frontend.metadata).toMatchObject({ name: "frontend", namespace: "svclab" });
    expect(backend.metadata).toMatchObject({ name: "backend", namespace: "svclab" });
    expect(frontend.spec.replicas).toBe(3);
    expect(backend.spec.replicas).toBe(2);
  });

  it("takes the image pull policy as another resource's output (DemoImage.imagePullPolicy in a YAML program)", async () => {
    const app = new demo.DemoApp("app", { namespace: "lab", image: IMAGE, imagePullPolicy: pulumi.output(demo.ImagePullPolicy.Never) });
    await promiseOf(app.frontend.urn);
    expect(container(deploymentSent("app-frontend")).imagePullPolicy).toBe("Never");
  });

  it("honours replica counts, the image pull policy and a backend URL", async () => {
    const app = new demo.DemoApp("app", {
      namespace: "lab",
      image: IMAGE,
      imagePullPolicy: "Never",
      frontendReplicas: 1,
      backendReplicas: 4,
      backendUrl: "http://elsewhere.example.invalid",
    });
    await promiseOf(app.frontend.urn);
    await promiseOf(app.backend.urn);
    const frontend = deploymentSent("app-frontend");
    expect(frontend.spec.replicas).toBe(1);
    expect(deploymentSent("app-backend").spec.replicas).toBe(4);
    expect(container(frontend).imagePullPolicy).toBe("Never");
    expect(envOf(container(frontend)).BACKEND_URL).toBe("http://elsewhere.example.invalid");
  });

  it("labels Deployments and pods part-of svclab, managed-by pulumi, with their component", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    await promiseOf(app.backend.urn);
    for (const role of ["frontend", "backend"]) {
      const sent = deploymentSent(`app-${role}`);
      const expected = {
        "app.kubernetes.io/part-of": "svclab",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/component": role,
      };
      expect(sent.metadata.labels).toEqual(expected);
      expect(sent.spec.template.metadata.labels).toEqual(expected);
    }
  });

  it("selects its own pods: each selector is within its pod labels and frontend and backend differ", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    await promiseOf(app.backend.urn);
    const frontend = deploymentSent("app-frontend");
    const backend = deploymentSent("app-backend");
    expect(frontend.spec.selector.matchLabels).toEqual(app.frontendSelector);
    expect(backend.spec.selector.matchLabels).toEqual(app.backendSelector);
    expect(frontend.spec.template.metadata.labels).toMatchObject(app.frontendSelector);
    expect(backend.spec.template.metadata.labels).toMatchObject(app.backendSelector);
    expect(app.frontendSelector).not.toEqual(app.backendSelector);
    expect(backend.spec.template.metadata.labels).not.toMatchObject(app.frontendSelector);
  });

  it("runs the image on container port 3000 named http with its identity from the Downward API", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    await promiseOf(app.backend.urn);
    for (const role of ["frontend", "backend"]) {
      const c = container(deploymentSent(`app-${role}`));
      expect(c.image).toBe(IMAGE);
      expect(c.imagePullPolicy).toBe("IfNotPresent");
      expect(c.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);
      const env = envOf(c);
      expect(env.ROLE).toBe(role);
      expect(env.PORT).toBe("3000");
      expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
      expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
      expect(env.NODE_NAME).toEqual({ fieldRef: { fieldPath: "spec.nodeName" } });
      expect(env.POD_IP).toEqual({ fieldRef: { fieldPath: "status.podIP" } });
    }
    expect(envOf(container(deploymentSent("app-backend"))).BACKEND_URL).toBeUndefined();
  });

  it("points the frontend at the backend Service's cluster DNS name in its namespace", async () => {
    const app = new demo.DemoApp("app", { namespace: "team-a", image: IMAGE });
    await promiseOf(app.frontend.urn);
    expect(envOf(container(deploymentSent("app-frontend"))).BACKEND_URL).toBe(
      "http://backend.team-a.svc.cluster.local",
    );
  });

  it("probes readiness on GET /readyz and liveness on GET /healthz through the http port", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    const c = container(deploymentSent("app-frontend"));
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  });

  it("spreads pods across the workers and keeps them off the control plane, so Local traffic policies show a node without a pod", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    const pod = deploymentSent("app-frontend").spec.template.spec;
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: app.frontendSelector },
      },
    ]);
    expect(pod.tolerations).toBeUndefined();
  });

  it("runs as the distroless nonroot user with no token, no privileges and a read-only root", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    await promiseOf(app.frontend.urn);
    const pod = deploymentSent("app-frontend").spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
    const c = container(deploymentSent("app-frontend"));
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.resources).toEqual({
      requests: { cpu: "25m", memory: "48Mi" },
      limits: { cpu: "250m", memory: "128Mi" },
    });
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
  });

  it("parents both Deployments to the component and uses the provider passed in opts", async () => {
    const provider = new k8s.Provider("p", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE }, { provider });
    const urns = [await promiseOf(app.frontend.urn), await promiseOf(app.backend.urn)];
    for (const urn of urns) {
      expect(urn).toContain("svclab:index:DemoApp$kubernetes:apps/v1:Deployment::app-");
    }
    expect(await promiseOf(app.urn)).toContain("svclab:index:DemoApp::app");
    for (const name of ["app-frontend", "app-backend"]) {
      expect(world.byName(name).provider).toMatch(/pulumi:providers:kubernetes::p::/);
    }
  });

  it("exposes the pod selectors as plain values and the Deployments as outputs", async () => {
    const app = new demo.DemoApp("app", { namespace: "svclab", image: IMAGE });
    expect(app.frontendSelector).toEqual({ "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "frontend" });
    expect(app.backendSelector).toEqual({ "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "backend" });
    expect(await promiseOf(app.frontend.metadata.name)).toBe("frontend");
    expect(await promiseOf(app.backend.metadata.name)).toBe("backend");
  });

  describe("refuses bad input before creating anything", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        "frontendReplicas 0",
        { frontendReplicas: 0 },
        "DemoApp.frontendReplicas must be an integer of at least 1; got 0",
      ],
      [
        "fractional backendReplicas",
        { backendReplicas: 1.5 },
        "DemoApp.backendReplicas must be an integer of at least 1; got 1.5",
      ],
      [
        "a namespace that is not a DNS-1035 label",
        { namespace: "Team_A" },
        'DemoApp.namespace must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ' +
          'starting with a letter and ending with a letter or digit); got "Team_A"',
      ],
      [
        "an unknown imagePullPolicy",
        { imagePullPolicy: "Sometimes" },
        'DemoApp.imagePullPolicy must be one of "IfNotPresent", "Never", "Always"; got "Sometimes"',
      ],
      [
        "a backendUrl that is not http",
        { backendUrl: "backend:80" },
        'DemoApp.backendUrl must be an http:// or https:// URL; got "backend:80"',
      ],
    ];
    it.each(cases)("%s", async (_case, override, message) => {
      const args = { namespace: "svclab", image: IMAGE, ...override } as any;
      expect(messageThrownBy(() => new demo.DemoApp("bad", args))).toBe(message);
      expect(await registeredBesidesSentinel(world)).toEqual([]);
    });
  });
});
