/**
 * The few stack settings the runner needs before `pulumi up` exists to
 * answer (cluster mode, kind cluster name, host port mappings), read from the
 * same files Pulumi reads: the stack's `stacks/Pulumi.<stack>.yaml` and, for
 * keys it does not set, the defaults declared in `Pulumi.yaml`'s `config:`.
 * Only the stack program validates config; values that do not parse here are
 * left for `pulumi up` to reject with its own message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { HostPort } from "./port-check";

export interface LabSettings {
  /** `kind` (the lab creates a cluster) or `existing` (it uses a kubeconfig context). */
  readonly clusterMode: string;
  readonly clusterName: string;
  readonly hostPorts: readonly HostPort[];
  /** The kind node image (`nodeImage`), when set or declared with a default; preflight checks kind can run it. */
  readonly nodeImage?: string;
  /** The stack's config file relative to the project, for messages. */
  readonly configFile: string;
}

interface ProjectFile {
  readonly name?: string;
  readonly stackConfigDir?: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Reads the settings of `stackName` in the project at `projectDir`. */
export function readLabSettings(projectDir: string, stackName: string): LabSettings {
  const projectPath = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(projectPath)) {
    throw new Error(`no Pulumi.yaml in ${projectDir}: run the lab from the svclab checkout`);
  }
  const project = (parse(fs.readFileSync(projectPath, "utf8")) ?? {}) as ProjectFile;
  const projectName = project.name ?? "svclab";
  const configFile = path.join(project.stackConfigDir ?? ".", `Pulumi.${stackName}.yaml`);
  const stackPath = path.join(projectDir, configFile);
  const stackConfig = fs.existsSync(stackPath) ? ((parse(fs.readFileSync(stackPath, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {} : {};

  const lookup = (key: string): unknown => {
    const fromStack = stackConfig[`${projectName}:${key}`] ?? stackConfig[key];
    if (fromStack !== undefined) {
      return fromStack;
    }
    const declared = project.config?.[`${projectName}:${key}`] ?? project.config?.[key];
    // A declared key is `{ type, description, default }`; a bare value is its own default.
    return typeof declared === "object" && declared !== null && !Array.isArray(declared) ? (declared as { default?: unknown }).default : declared;
  };
  const text = (key: string): string => {
    const value = lookup(key);
    if (typeof value !== "string") {
      throw new Error(`${projectName}:${key} is neither set in ${configFile} nor given a default in Pulumi.yaml`);
    }
    return value;
  };

  const listenAddress = text("listenAddress");
  const entries = lookup("hostPorts");
  const hostPorts = (Array.isArray(entries) ? entries : []).flatMap((entry): HostPort[] => {
    const mapping = typeof entry === "string" ? parseHostPortEntry(entry, listenAddress) : undefined;
    return mapping === undefined ? [] : [mapping];
  });
  const nodeImage = lookup("nodeImage");
  return { clusterMode: text("cluster"), clusterName: text("clusterName"), hostPorts, configFile, ...(typeof nodeImage === "string" ? { nodeImage } : {}) };
}

/** `hostPort:nodePort` or `listenAddress:hostPort:nodePort`, as the stack's `hostPorts` entries are written. */
export function parseHostPortEntry(entry: string, defaultListenAddress: string): HostPort | undefined {
  const parts = entry.split(":");
  if (parts.length !== 2 && parts.length !== 3) {
    return undefined;
  }
  const hostPort = Number(parts[parts.length - 2]);
  if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
    return undefined;
  }
  return { listenAddress: parts.length === 3 ? parts[0] : defaultListenAddress, hostPort };
}
