import * as k8s from "@pulumi/kubernetes";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
let ns: typeof import("../../components/lab-namespace");

beforeAll(async () => {
  ns = await import("../../components/lab-namespace");
});
beforeEach(() => world.reset());

const NAMESPACE = "kubernetes:core/v1:Namespace";

describe("LabNamespace", () => {
  it("creates the namespace svclab by default and outputs its name", async () => {
    const lab = new ns.LabNamespace("lab", {});
    expect(await promiseOf(lab.name)).toBe("svclab");
    const r = world.byName("lab-namespace");
    expect(r.type).toBe(NAMESPACE);
    expect(r.inputs.metadata.name).toBe("svclab");
    expect(world.byType(NAMESPACE)).toHaveLength(1);
  });

  it("uses the given name", async () => {
    const lab = new ns.LabNamespace("lab", { name: "class-7" });
    expect(await promiseOf(lab.name)).toBe("class-7");
    expect(world.byName("lab-namespace").inputs.metadata.name).toBe("class-7");
  });

  it("labels the namespace as svclab's and enforces, audits and warns on the restricted Pod Security Standard", async () => {
    const lab = new ns.LabNamespace("lab");
    await promiseOf(lab.name);
    expect(world.byName("lab-namespace").inputs.metadata.labels).toEqual({
      "app.kubernetes.io/part-of": "svclab",
      "app.kubernetes.io/managed-by": "pulumi",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("parents the Namespace to the component and uses the provider passed in opts", async () => {
    const provider = new k8s.Provider("p", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const lab = new ns.LabNamespace("lab", {}, { provider });
    expect(await promiseOf(lab.namespace.urn)).toContain("svclab:index:LabNamespace$kubernetes:core/v1:Namespace::lab-namespace");
    expect(world.byName("lab-namespace").provider).toMatch(/pulumi:providers:kubernetes::p::/);
  });

  it("refuses a name that is not a DNS-1035 label before creating anything", async () => {
    expect(messageThrownBy(() => new ns.LabNamespace("lab", { name: "a".repeat(64) }))).toBe(
      'LabNamespace.name must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ' +
        `starting with a letter and ending with a letter or digit); got "${"a".repeat(64)}"`,
    );
    expect(await registeredBesidesSentinel(world)).toEqual([]);
  });
});
