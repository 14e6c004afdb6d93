/**
 * One shared Pulumi mocks factory for every component and stack test.
 *
 * Usage (mocks must be installed before the code under test is imported):
 *
 *   const world = installMocks();              // in beforeAll, or at module top
 *   const { ServiceCatalog } = await import("../../components");
 *   ...
 *   world.byType("kubernetes:core/v1:Service")  // what the components *sent*
 *
 * Each registered resource is recorded with the inputs it was sent. The mocks
 * then add realistic computed state per type (a Service's clusterIP and
 * allocated nodePorts, a LoadBalancer's ingress IP, a docker Image's digest,
 * a local Command's stdout), so code that reads outputs sees what a real
 * engine would give it.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly provider?: string;
  readonly custom?: boolean;
}

export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, any>;
}

export interface MockOptions {
  /** Answers the invoke/call functions a test needs; default: echo inputs. */
  readonly call?: (token: string, inputs: Record<string, any>) => Record<string, any> | undefined;
  /** Extra computed state for a resource type (merged over the defaults below). */
  readonly state?: (resource: RecordedResource) => Record<string, any> | undefined;
  /** Run as a preview (`pulumi preview`), where unknown values stay unknown. */
  readonly preview?: boolean;
  readonly project?: string;
  readonly stack?: string;
}

export interface MockWorld {
  readonly resources: RecordedResource[];
  readonly calls: RecordedCall[];
  byType(type: string): RecordedResource[];
  byName(name: string): RecordedResource;
  reset(): void;
}

/** Resolves an Output in a test (undefined while it is unknown in a preview). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

export function installMocks(options: MockOptions = {}): MockWorld {
  const resources: RecordedResource[] = [];
  const calls: RecordedCall[] = [];
  let nextClusterIp = 10;
  let nextNodePort = 31000;

  const defaults = (r: RecordedResource): Record<string, any> => {
    switch (r.type) {
      case "kubernetes:core/v1:Service":
        return serviceState(r.inputs);
      case "docker:index/image:Image":
        return {
          repoDigest: `${String(r.inputs.imageName).split(":")[0]}@sha256:${"d".repeat(64)}`,
          baseImageName: r.inputs.imageName,
        };
      case "docker:index/container:Container":
        return { containerId: `${r.name}-container-id` };
      case "command:local:Command":
        return { stdout: "", stderr: "" };
      default:
        return {};
    }
  };

  function serviceState(inputs: Record<string, any>): Record<string, any> {
    const spec = { ...(inputs.spec ?? {}) };
    const type = spec.type ?? "ClusterIP";
    if (type !== "ExternalName" && spec.clusterIP !== "None") {
      spec.clusterIP = spec.clusterIP ?? `10.96.0.${nextClusterIp++}`;
    }
    if (type === "NodePort" || type === "LoadBalancer") {
      spec.ports = (spec.ports ?? []).map((p: any) => ({ ...p, nodePort: p.nodePort ?? nextNodePort++ }));
    }
    const status = type === "LoadBalancer" ? { loadBalancer: { ingress: [{ ip: "172.18.0.100" }] } } : {};
    return { spec, status };
  }

  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const record: RecordedResource = {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          custom: args.custom,
        };
        resources.push(record);
        const state = { ...args.inputs, ...defaults(record), ...(options.state?.(record) ?? {}) };
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        calls.push({ token: args.token, inputs: args.inputs });
        return options.call?.(args.token, args.inputs) ?? args.inputs;
      },
    },
    options.project ?? "svclab",
    options.stack ?? "test",
    options.preview ?? false,
  );

  return {
    resources,
    calls,
    byType: (type) => resources.filter((r) => r.type === type),
    byName(name) {
      const found = resources.find((r) => r.name === name);
      if (!found) {
        throw new Error(`no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`);
      }
      return found;
    },
    reset() {
      resources.length = 0;
      calls.length = 0;
    },
  };
}
