import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { loadConfig } from "../../apps/src/config";
import { installMocks, promiseOf } from "../support/pulumi-mocks";
import { messageThrownBy, registeredBesidesSentinel } from "./registration";

const world = installMocks();
let probes: typeof import("../../components/probe-agents");

beforeAll(async () => {
  probes = await import("../../components/probe-agents");
});
beforeEach(() => world.reset());

const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
const IMAGE = "svclab-demo:3f9a1c2b";

async function createdDaemonSet(opts?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const agents = new probes.ProbeAgents("agents", { namespace: "svclab", image: IMAGE, ...extra } as any, opts);
  await promiseOf(agents.daemonSet.urn);
  const r = world.byName("agents-probe");
  expect(r.type).toBe(DAEMON_SET);
  return { agents, inputs: r.inputs };
}

describe("ProbeAgents", () => {
  it("creates one DaemonSet named probe in the namespace", async () => {
    const { inputs } = await createdDaemonSet();
    expect(world.byType(DAEMON_SET)).toHaveLength(1);
    expect(inputs.metadata).toMatchObject({ name: "probe", namespace: "svclab" });
  });

  it("labels the DaemonSet and its pods component=probe, which its selector and the verifier use", async () => {
    const { agents, inputs } = await createdDaemonSet();
    const labels = {
      "app.kubernetes.io/part-of": "svclab",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/component": "probe",
    };
    expect(inputs.metadata.labels).toEqual(labels);
    expect(inputs.spec.template.metadata.labels).toEqual(labels);
    expect(inputs.spec.selector.matchLabels).toEqual(agents.selector);
    expect(labels).toMatchObject(agents.selector);
    expect(agents.selector["app.kubernetes.io/component"]).toBe("probe");
  });

  it("runs on control-plane nodes too by tolerating the control-plane taint under both names", async () => {
    const { inputs } = await createdDaemonSet();
    expect(inputs.spec.template.spec.tolerations).toEqual([
      { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("runs the demo image in probe mode with the same port, probes, env and security as the workload", async () => {
    const { inputs } = await createdDaemonSet({}, { imagePullPolicy: "Never" });
    const pod = inputs.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe(IMAGE);
    expect(c.imagePullPolicy).toBe("Never");
    expect(c.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]));
    expect(env).toEqual({
      ROLE: "probe",
      PORT: "3000",
      POD_NAME: "metadata.name",
      POD_NAMESPACE: "metadata.namespace",
      NODE_NAME: "spec.nodeName",
      POD_IP: "status.podIP",
      PROBE_TOKEN_FILE: "/var/run/svclab/probe-token/token",
    });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 65532 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });

  it("creates the per-lab probe token as a Pulumi secret in Secret svclab-probe-token, 32 random bytes", async () => {
    await createdDaemonSet();
    const secret = world.byName("agents-token");
    expect(secret.type).toBe("kubernetes:core/v1:Secret");
    expect(secret.inputs.metadata).toMatchObject({ name: "svclab-probe-token", namespace: "svclab" });
    expect(secret.inputs.metadata.labels["app.kubernetes.io/component"]).toBe("probe");
    // A Pulumi secret travels wrapped (at the map or the value), so it is encrypted in the state.
    const SIG = "4dabf18193072939515e22adb298388d";
    const wrapped = (v: any): boolean => v?.[SIG] === "1b47061264138c4ac30d75fd1eb44270";
    const reveal = (v: any): any => (wrapped(v) ? v.value : v);
    expect(wrapped(secret.inputs.data) || wrapped(secret.inputs.data?.token)).toBe(true);
    const token = reveal(reveal(secret.inputs.data).token);
    expect(Buffer.from(token, "base64").toString("utf8")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(probes.newProbeToken()).not.toBe(probes.newProbeToken());
  });

  it("keeps the first token across updates: the Secret ignores changes to its data", async () => {
    const seen: Record<string, pulumi.CustomResourceOptions> = {};
    const record: pulumi.ResourceTransformation = (args) => {
      seen[args.type] = args.opts as pulumi.CustomResourceOptions;
      return undefined;
    };
    await createdDaemonSet({ transformations: [record] });
    expect(seen["kubernetes:core/v1:Secret"]?.ignoreChanges).toEqual(["data"]);
    expect(seen["kubernetes:apps/v1:DaemonSet"]?.dependsOn).toBeDefined();
  });

  it("mounts the token into the agents as a read-only file, not an env variable", async () => {
    const { inputs } = await createdDaemonSet();
    const pod = inputs.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "probe-token",
      secret: { secretName: "svclab-probe-token", defaultMode: 0o444, items: [{ key: "token", path: "token" }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "probe-token", mountPath: "/var/run/svclab/probe-token", readOnly: true });
    expect(JSON.stringify(pod.containers[0].env)).not.toContain("secretKeyRef");
  });

  it("gives the agent what ROLE=probe requires: PROBE_TOKEN_FILE is the Secret key the volume mounts", async () => {
    const { inputs } = await createdDaemonSet();
    const pod = inputs.spec.template.spec;
    const [c] = pod.containers;
    const env = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const volume = pod.volumes.find((v: any) => v.secret?.secretName === "svclab-probe-token");
    const mount = c.volumeMounts.find((m: any) => m.name === volume.name);
    expect(env.PROBE_TOKEN_FILE).toBe(`${mount.mountPath}/${volume.secret.items[0].path}`);
    // The agent refuses ROLE=probe without a token file (apps/src/config.ts); this environment starts it.
    expect(loadConfig(env).probeTokenFile).toBe(env.PROBE_TOKEN_FILE);
  });

  it("parents the DaemonSet to the component and uses the provider passed in opts", async () => {
    const provider = new k8s.Provider("p", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const { agents } = await createdDaemonSet({ provider });
    expect(await promiseOf(agents.daemonSet.urn)).toContain("svclab:index:ProbeAgents$kubernetes:apps/v1:DaemonSet::agents-probe");
    expect(world.byName("agents-probe").provider).toMatch(/pulumi:providers:kubernetes::p::/);
    expect(await promiseOf(agents.daemonSet.metadata.name)).toBe("probe");
  });

  describe("refuses bad input before creating anything", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        "a namespace that is not a DNS-1035 label",
        { namespace: "svclab." },
        'ProbeAgents.namespace must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ' +
          'starting with a letter and ending with a letter or digit); got "svclab."',
      ],
      [
        "an unknown imagePullPolicy",
        { imagePullPolicy: "always" },
        'ProbeAgents.imagePullPolicy must be one of "IfNotPresent", "Never", "Always"; got "always"',
      ],
    ];
    it.each(cases)("%s", async (_case, override, message) => {
      const args = { namespace: "svclab", image: IMAGE, ...override } as any;
      expect(messageThrownBy(() => new probes.ProbeAgents("bad", args))).toBe(message);
      expect(await registeredBesidesSentinel(world)).toEqual([]);
    });
  });
});
