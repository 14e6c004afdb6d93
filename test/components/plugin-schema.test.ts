/**
 * svclab as a Pulumi source-based component package, checked without the
 * Pulumi CLI: Pulumi's own component analyzer (`ComponentProvider.getSchema`,
 * the code `pulumi package add` runs through the Node.js plugin host) reads
 * the package from the repository root, and `construct` — what a Python, Go
 * or YAML program's `new svclab.ServiceCatalog(...)` becomes — registers the
 * same children as the TypeScript class, under the shared Pulumi mocks.
 *
 * The analyzer type-checks the whole project (tsconfig.json), ~20 s on an
 * idle machine and over a minute under load, so it runs once for the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { installMocks, MockWorld, promiseOf, RecordedResource } from "../support/pulumi-mocks";

const world: MockWorld = installMocks();
const repo = path.resolve(__dirname, "..", "..");
const ANALYZER_TIMEOUT_MS = 600_000;

type PulumiSdk = typeof import("@pulumi/pulumi");
type Experimental = typeof import("@pulumi/pulumi/provider/experimental");
type Components = typeof import("../../index");

interface PropertySpec {
  type?: string;
  $ref?: string;
  optional?: boolean;
  plain?: boolean;
  description?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
}
interface ResourceSpec {
  isComponent: boolean;
  description?: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}
interface TypeSpec {
  type: string;
  enum?: { name: string; value: string; description?: string }[];
  properties?: Record<string, PropertySpec>;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<string, ResourceSpec>;
  types: Record<string, TypeSpec>;
  dependencies: { name: string; version: string }[];
}

let pulumi: PulumiSdk;
let experimental: Experimental;
let svclab: Components;
let provider: InstanceType<Experimental["ComponentProvider"]>;
let schema: Schema;

beforeAll(async () => {
  pulumi = await import("@pulumi/pulumi");
  experimental = await import("@pulumi/pulumi/provider/experimental");
  svclab = await import("../../index");
  // What the plugin host does (cmd/run-plugin/run.js): every ComponentResource
  // class the package entry exports, named after package.json's name.
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { name: string };
  provider = new experimental.ComponentProvider({
    name: manifest.name,
    dirname: repo,
    components: experimental.getPulumiComponents(svclab),
  });
  schema = JSON.parse(await provider.getSchema()) as Schema;
}, ANALYZER_TIMEOUT_MS);

beforeEach(() => world.reset());

const str = (extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "string", ...extra });
const num = (extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "number", ...extra });
const ref = (name: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ $ref: `#/types/svclab:index:${name}`, ...extra });
const k8sRef = (token: string): PropertySpec => ({ $ref: expect.stringMatching(new RegExp(`^/kubernetes/v[0-9.]+/schema\\.json#/resources/${token}$`)) });
const stringMap = (extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "object", additionalProperties: { type: "string" }, ...extra });
const plainStringMap = (extra: Partial<PropertySpec> = {}): PropertySpec => ({
  type: "object",
  additionalProperties: { type: "string", plain: true },
  ...extra,
});
const optionalPlain = { optional: true, plain: true };

/** Every component's inputs and outputs as the generated SDKs see them (descriptions are checked apart). */
const EXPECTED: Record<string, { inputs: Record<string, PropertySpec>; outputs: Record<string, PropertySpec> }> = {
  KindCluster: {
    inputs: {
      clusterName: str({ plain: true }),
      workers: num(optionalPlain),
      nodeImage: str(optionalPlain),
      ipFamily: ref("IpFamily", optionalPlain),
      kubeProxyMode: ref("KubeProxyMode", optionalPlain),
      podSubnet: str(optionalPlain),
      serviceSubnet: str(optionalPlain),
      portMappings: { type: "array", items: ref("PortMapping", { plain: true }), ...optionalPlain },
    },
    outputs: {
      kubeconfig: str(),
      nodes: { type: "array", items: ref("KindNode") },
      clusterName: str(),
      instanceId: str(),
    },
  },
  ExistingCluster: {
    inputs: { kubeconfig: str({ plain: true }), context: str(optionalPlain) },
    outputs: { kubeconfig: str(), context: str() },
  },
  LoadBalancerSupport: {
    inputs: {
      clusterName: str({ plain: true }),
      clusterInstanceId: str({ optional: true }),
      network: str(optionalPlain),
      image: str(optionalPlain),
      containerName: str(optionalPlain),
    },
    outputs: { implementation: str(), containerId: str() },
  },
  DemoImage: {
    inputs: {
      context: str(optionalPlain),
      dockerfile: str(optionalPlain),
      clusterName: str({ optional: true }),
      clusterInstanceId: str({ optional: true }),
      prebuiltImage: str(optionalPlain),
    },
    outputs: { imageRef: str(), imagePullPolicy: ref("ImagePullPolicy") },
  },
  LabNamespace: {
    inputs: { name: str(optionalPlain) },
    outputs: { name: str(), namespace: k8sRef("kubernetes:core%2Fv1:Namespace") },
  },
  DemoApp: {
    inputs: {
      namespace: str(),
      image: str(),
      imagePullPolicy: ref("ImagePullPolicy", { optional: true }),
      frontendReplicas: num(optionalPlain),
      backendReplicas: num(optionalPlain),
      backendUrl: str({ optional: true }),
    },
    outputs: {
      frontendSelector: stringMap(),
      backendSelector: stringMap(),
      frontend: k8sRef("kubernetes:apps%2Fv1:Deployment"),
      backend: k8sRef("kubernetes:apps%2Fv1:Deployment"),
    },
  },
  ServiceCatalog: {
    inputs: {
      namespace: str(),
      frontendSelector: plainStringMap(optionalPlain),
      backendSelector: plainStringMap(optionalPlain),
      kinds: { type: "array", items: ref("ServiceKind", { plain: true }), ...optionalPlain },
      nodePort: num(optionalPlain),
      localNodePort: num(optionalPlain),
      externalName: str({ optional: true }),
      awaitLoadBalancer: { type: "boolean", ...optionalPlain },
    },
    outputs: {
      services: { type: "object", additionalProperties: k8sRef("kubernetes:core%2Fv1:Service") },
      summary: { type: "object", additionalProperties: ref("ServiceSummary") },
    },
  },
  ProbeAgents: {
    inputs: { namespace: str(), image: str(), imagePullPolicy: ref("ImagePullPolicy", { optional: true }) },
    outputs: {
      selector: stringMap(),
      daemonSet: k8sRef("kubernetes:apps%2Fv1:DaemonSet"),
      tokenSecret: k8sRef("kubernetes:core%2Fv1:Secret"),
    },
  },
};

/** A property without its description (checked on its own). */
function shape(property: PropertySpec): PropertySpec {
  const { description: _description, ...rest } = property;
  return rest;
}

/** Every description in the schema, named by where it is. */
function descriptions(): [where: string, description: string | undefined][] {
  const found: [string, string | undefined][] = [];
  for (const [token, resource] of Object.entries(schema.resources)) {
    found.push([token, resource.description]);
    for (const [kind, properties] of [["input", resource.inputProperties], ["output", resource.properties]] as const) {
      for (const [name, property] of Object.entries(properties)) found.push([`${token} ${kind} ${name}`, property.description]);
    }
  }
  for (const [token, type] of Object.entries(schema.types)) {
    for (const [name, property] of Object.entries(type.properties ?? {})) found.push([`${token}.${name}`, property.description]);
    for (const member of type.enum ?? []) found.push([`${token}.${member.name}`, member.description]);
  }
  return found;
}

describe("the component package's schema (Pulumi's analyzer over the repository root)", () => {
  test("names the package svclab and holds every exported component, as svclab:index:<Component>", () => {
    expect(schema.name).toBe("svclab");
    const exported = experimental.getPulumiComponents(svclab).map((c) => `svclab:index:${c.name}`);
    expect(Object.keys(schema.resources).sort()).toEqual(exported.sort());
    expect(Object.keys(schema.resources).sort()).toEqual(Object.keys(EXPECTED).map((c) => `svclab:index:${c}`).sort());
    for (const resource of Object.values(schema.resources)) expect(resource.isComponent).toBe(true);
  });

  test.each(Object.keys(EXPECTED))("%s: every input with its type, optionality and plainness", (component) => {
    const resource = schema.resources[`svclab:index:${component}`];
    const inputs = Object.fromEntries(Object.entries(resource.inputProperties).map(([name, p]) => [name, shape(p)]));
    expect(inputs).toEqual(EXPECTED[component].inputs);
    const required = Object.entries(EXPECTED[component].inputs).filter(([, p]) => !p.optional).map(([name]) => name);
    expect(resource.requiredInputs).toEqual(required.sort());
  });

  test.each(Object.keys(EXPECTED))("%s: every output with its type, and no Kubernetes provider among them", (component) => {
    const resource = schema.resources[`svclab:index:${component}`];
    const outputs = Object.fromEntries(Object.entries(resource.properties).map(([name, p]) => [name, shape(p)]));
    expect(outputs).toEqual(EXPECTED[component].outputs);
    expect(resource.required).toEqual(Object.keys(EXPECTED[component].outputs).sort());
    expect(Object.keys(resource.properties)).not.toContain("provider");
  });

  test("every component, input, output, type property and enum member has a description in plain words", () => {
    const missing = descriptions().filter(([, d]) => d === undefined || d.trim() === "").map(([where]) => where);
    expect(missing).toEqual([]);
    // The analyzer keeps only a comment's text: an inline {@link} would arrive as "[object Object]".
    const garbled = descriptions().filter(([, d]) => d?.includes("[object Object]")).map(([where]) => where);
    expect(garbled).toEqual([]);
  });

  test("every optional input's description says its default, since a @default tag does not reach the SDKs", () => {
    const silent = Object.entries(schema.resources).flatMap(([token, resource]) =>
      Object.entries(resource.inputProperties)
        .filter(([, p]) => p.optional && !/Default/.test(p.description ?? ""))
        .map(([name]) => `${token} ${name}`),
    );
    expect(silent).toEqual([]);
  });

  test("the enums are string enums holding exactly the values the TypeScript components accept", () => {
    const values = (name: string) => schema.types[`svclab:index:${name}`].enum?.map((m) => m.value);
    for (const name of ["ImagePullPolicy", "ServiceKind", "IpFamily", "KubeProxyMode", "PortMappingNode", "PortProtocol"]) {
      expect(schema.types[`svclab:index:${name}`].type).toBe("string");
    }
    expect(values("ImagePullPolicy")).toEqual([...svclab.IMAGE_PULL_POLICIES]);
    expect(values("ServiceKind")).toEqual([...svclab.SERVICE_KINDS]);
    expect(values("IpFamily")).toEqual([...svclab.IP_FAMILIES]);
    expect(values("KubeProxyMode")).toEqual([...svclab.KUBE_PROXY_MODES]);
    expect(values("PortMappingNode")).toEqual([...svclab.PORT_MAPPING_NODES]);
    expect(values("PortProtocol")).toEqual([...svclab.PORT_PROTOCOLS]);
    // The enum objects name each value the way the generated SDKs do (ServiceKind.EtpLocal).
    expect(schema.types["svclab:index:ServiceKind"].enum?.map((m) => m.name)).toEqual(Object.keys(svclab.ServiceKind));
  });

  test("the object types carry their fields: port mappings in, nodes and Service summaries out", () => {
    const fields = (name: string) =>
      Object.fromEntries(Object.entries(schema.types[`svclab:index:${name}`].properties ?? {}).map(([k, p]) => [k, shape(p)]));
    expect(fields("PortMapping")).toEqual({
      containerPort: num({ plain: true }),
      hostPort: num({ plain: true }),
      listenAddress: str(optionalPlain),
      protocol: ref("PortProtocol", optionalPlain),
      node: ref("PortMappingNode", optionalPlain),
    });
    expect(fields("KindNode")).toEqual({ name: str(), role: str(), internalIP: str() });
    expect(fields("ServiceSummary")).toEqual({
      type: str(),
      clusterIP: str({ optional: true }),
      port: num(),
      nodePort: num({ optional: true }),
      loadBalancerAddress: str({ optional: true }),
    });
  });

  test("depends on the installed @pulumi/kubernetes for its resource references", () => {
    const installed = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { version: string }).version;
    expect(schema.dependencies).toEqual([{ name: "kubernetes", version: installed }]);
  });

  test("PulumiPlugin.yaml at the package root declares the nodejs runtime", () => {
    const plugin = parse(fs.readFileSync(path.join(repo, "PulumiPlugin.yaml"), "utf8")) as { runtime: unknown };
    expect(plugin).toEqual({ runtime: "nodejs" });
  });
});

/** What a component registered, its children named relative to it, in registration order. */
function registered(componentName: string): { type: string; name: string; inputs: Record<string, unknown> }[] {
  return world.resources.map((r: RecordedResource) => ({
    type: r.type,
    name: r.name.startsWith(componentName) ? `<name>${r.name.slice(componentName.length)}` : r.name,
    inputs: r.inputs,
  }));
}

/** The resources among a component's outputs (a Resource, or a map of them). */
function resourcesIn(outputs: Record<string, unknown>): InstanceType<PulumiSdk["Resource"]>[] {
  return Object.values(outputs).flatMap((value) => {
    if (pulumi.Resource.isInstance(value)) return [value];
    if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
      return Object.values(value).filter((v) => pulumi.Resource.isInstance(v));
    }
    return [];
  });
}

/** Waits until the engine has the component and every child it outputs. */
async function settled(component: { urn: import("@pulumi/pulumi").Input<string> }, outputs: Record<string, unknown>): Promise<void> {
  await promiseOf(pulumi.output(component.urn));
  await Promise.all(resourcesIn(outputs).map((r) => promiseOf(r.urn)));
}

describe("construct through the component provider (what another language's SDK calls)", () => {
  // Inputs as another language sends them: plain JSON values, enums as their strings.
  const catalogInputs = { namespace: "lab", kinds: ["clusterip", "nodeport", "loadbalancer", "externalname"], nodePort: 30090 };

  test("ServiceCatalog registers the same Services with the same specs as the TypeScript class", async () => {
    const result = await provider.construct("via-plugin", "svclab:index:ServiceCatalog", { ...catalogInputs }, {});
    expect(await promiseOf(pulumi.output(result.urn))).toMatch(/::svclab:index:ServiceCatalog::via-plugin$/);
    await settled(result, result.state);
    const viaPlugin = registered("via-plugin");
    world.reset();

    const catalog = new svclab.ServiceCatalog("in-typescript", {
      namespace: "lab",
      kinds: [svclab.ServiceKind.ClusterIP, svclab.ServiceKind.NodePort, svclab.ServiceKind.LoadBalancer, svclab.ServiceKind.ExternalName],
      nodePort: 30090,
    });
    await settled(catalog, { services: catalog.services });
    const inTypeScript = registered("in-typescript");

    expect(viaPlugin.map((r) => `${r.type} ${r.name}`)).toEqual([
      "svclab:index:ServiceCatalog <name>",
      "kubernetes:core/v1:Service <name>-backend",
      "kubernetes:core/v1:Service <name>-frontend-nodeport",
      "kubernetes:core/v1:Service <name>-frontend-lb",
      "kubernetes:core/v1:Service <name>-backend-external",
    ]);
    expect(viaPlugin).toEqual(inTypeScript);
  });

  test("ServiceCatalog's construct state is exactly its schema outputs, with the Services' summaries", async () => {
    const result = await provider.construct("state", "svclab:index:ServiceCatalog", { ...catalogInputs }, {});
    expect(Object.keys(result.state).sort()).toEqual(["services", "summary"]);
    const summary = await promiseOf(result.state.summary as import("@pulumi/pulumi").Output<Record<string, { type: string; nodePort?: number }>>);
    expect(summary["frontend-nodeport"]).toMatchObject({ type: "NodePort", nodePort: 30090 });
    expect(Object.keys(result.state.services as object).sort()).toEqual(["backend", "backend-external", "frontend-lb", "frontend-nodeport"]);
  });

  test("a namespace that is another resource's output (a YAML ${ns.name}) reaches every Service", async () => {
    const namespace = pulumi.output("from-output");
    const result = await provider.construct("dep", "svclab:index:ServiceCatalog", { namespace, kinds: ["clusterip"] }, {});
    await settled(result, result.state);
    expect(world.byName("dep-backend").inputs.metadata.namespace).toBe("from-output");
  });

  test("DemoApp registers the same Deployments as the TypeScript class, its pull policy given as the enum's string", async () => {
    const inputs = { namespace: "lab", image: "demo:1", imagePullPolicy: "Never", frontendReplicas: 2 };
    const result = await provider.construct("via-plugin", "svclab:index:DemoApp", inputs, {});
    await settled(result, result.state);
    const viaPlugin = registered("via-plugin");
    world.reset();
    const app = new svclab.DemoApp("in-typescript", { ...inputs, imagePullPolicy: svclab.ImagePullPolicy.Never });
    await settled(app, { frontend: app.frontend, backend: app.backend });
    expect(viaPlugin.map((r) => `${r.type} ${r.name}`)).toEqual([
      "svclab:index:DemoApp <name>",
      "kubernetes:apps/v1:Deployment <name>-backend",
      "kubernetes:apps/v1:Deployment <name>-frontend",
    ]);
    expect(viaPlugin).toEqual(registered("in-typescript"));
  });

  test("a bad enum string from another language is refused with the field, the value and what is allowed", async () => {
    await expect(provider.construct("bad", "svclab:index:ServiceCatalog", { namespace: "lab", kinds: ["NodePort"] }, {})).rejects.toThrow(
      'ServiceCatalog.kinds[0] must be one of "clusterip", "headless", "nodeport", "loadbalancer", "etp-local", "sticky", "itp-local", "externalname"; got "NodePort"',
    );
  });
});

interface YamlResource {
  type: string;
  properties?: Record<string, unknown>;
  options?: { providers?: string[] };
}
interface YamlProgram {
  runtime: string;
  packages: Record<string, string>;
  config?: Record<string, unknown>;
  resources: Record<string, YamlResource>;
  outputs: Record<string, string>;
}

describe("the Pulumi YAML example (examples/yaml) against the schema", () => {
  const dir = path.join(repo, "examples", "yaml");
  const program = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as YamlProgram;
  const svclabResources = Object.entries(program.resources).filter(([, r]) => r.type.startsWith("svclab:"));

  /** `${name.property}` references in a value, as [resource, property]. */
  function references(value: unknown): [string, string][] {
    const text = JSON.stringify(value ?? null);
    return [...text.matchAll(/\$\{([\w-]+)\.(\w+)\}/g)].map((m) => [m[1], m[2]]);
  }

  test("is a YAML program whose svclab package is this repository's component package", () => {
    expect(program.runtime).toBe("yaml");
    expect(fs.existsSync(path.join(path.resolve(dir, program.packages.svclab), "PulumiPlugin.yaml"))).toBe(true);
    expect(path.resolve(dir, program.packages.svclab)).toBe(repo);
  });

  test("uses components the schema has, with only their inputs and every required one", () => {
    expect(svclabResources.length).toBeGreaterThanOrEqual(5);
    for (const [name, resource] of svclabResources) {
      const spec = schema.resources[resource.type];
      expect([name, spec === undefined]).toEqual([name, false]);
      const given = Object.keys(resource.properties ?? {});
      expect([name, given.filter((p) => !(p in spec.inputProperties))]).toEqual([name, []]);
      expect([name, spec.requiredInputs.filter((p) => !given.includes(p))]).toEqual([name, []]);
    }
  });

  test("gives enum inputs only values of their enum", () => {
    const allowed = (ref: string | undefined) => schema.types[ref?.replace("#/types/", "") ?? ""]?.enum?.map((m) => m.value);
    for (const [name, resource] of svclabResources) {
      const spec = schema.resources[resource.type];
      for (const [property, value] of Object.entries(resource.properties ?? {})) {
        const input = spec.inputProperties[property];
        const values = allowed(input.$ref ?? input.items?.$ref);
        if (values === undefined || (typeof value === "string" && value.startsWith("${"))) continue;
        for (const v of Array.isArray(value) ? value : [value]) expect([name, property, values.includes(v as string)]).toEqual([name, property, true]);
      }
    }
  });

  test("reads only outputs the components have", () => {
    const everything = [...Object.values(program.resources).map((r) => r.properties), program.outputs];
    for (const [resource, property] of everything.flatMap(references)) {
      const type = program.resources[resource]?.type;
      expect([resource, type === undefined]).toEqual([resource, false]);
      if (type.startsWith("svclab:")) expect([resource, property, property in schema.resources[type].properties]).toEqual([resource, property, true]);
    }
  });

  test("hands the cluster's Kubernetes provider to every in-cluster component through options, never through args", () => {
    const inCluster = ["svclab:index:LabNamespace", "svclab:index:DemoApp", "svclab:index:ServiceCatalog", "svclab:index:ProbeAgents"];
    const providerName = Object.entries(program.resources).find(([, r]) => r.type === "pulumi:providers:kubernetes")?.[0];
    expect(program.resources[providerName ?? ""].properties).toEqual({ kubeconfig: expect.stringMatching(/^\$\{[\w-]+\.kubeconfig\}$/) });
    for (const [name, resource] of svclabResources.filter(([, r]) => inCluster.includes(r.type))) {
      expect([name, resource.options?.providers]).toEqual([name, [`\${${providerName}}`]]);
    }
  });
});
