/**
 * A stack's config file (`stacks/Pulumi.<stack>.yaml`) checked with the stack
 * program's own rules ({@link loadConfig}) without Pulumi: `lab` runs it before
 * preflight and before anything is downloaded or created, so a typo costs a
 * second, not a cluster build. Reads files only; needs no Pulumi SDK.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { kubeconfigContexts } from "../components/kubeconfig-context";
import { ConfigReader, LabConfig, loadConfig } from "./config";

/** A stack or its config file that cannot be used; the message says what to do. */
export class StackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigError";
  }
}

interface ProjectFile {
  readonly name?: string;
  readonly stackConfigDir?: string;
}

function readProject(projectDir: string): { readonly name: string; readonly configDir: string } {
  const file = path.join(projectDir, "Pulumi.yaml");
  const project = (parse(fs.readFileSync(file, "utf8")) ?? {}) as ProjectFile;
  return { name: project.name ?? "svclab", configDir: project.stackConfigDir ?? "." };
}

/** The stacks that have a config file, sorted by name. */
export function stackNames(projectDir: string): string[] {
  const dir = path.join(projectDir, readProject(projectDir).configDir);
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/**
 * A config value as the Pulumi CLI hands it to the program: strings as they
 * are, numbers and booleans as text, arrays and objects as JSON.
 */
function asProgramValue(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** A {@link ConfigReader} over plain values, parsing them and failing the way `pulumi.Config` does. */
export function valuesReader(projectName: string, values: Readonly<Record<string, unknown>>): ConfigReader {
  const get = (key: string): string | undefined => (values[key] === undefined || values[key] === null ? undefined : asProgramValue(values[key]));
  const typeError = (key: string, value: string, type: string) =>
    new StackConfigError(`Configuration '${projectName}:${key}' value '${value}' is not a valid ${type}`);
  return {
    get,
    getNumber(key) {
      const value = get(key);
      if (value === undefined) return undefined;
      const number = parseFloat(value);
      if (Number.isNaN(number)) throw typeError(key, value, "number");
      return number;
    },
    getObject<T>(key: string): T | undefined {
      const value = get(key);
      if (value === undefined) return undefined;
      try {
        return JSON.parse(value) as T;
      } catch {
        throw typeError(key, value, "JSON object");
      }
    },
  };
}

/**
 * Reads `<stackConfigDir>/Pulumi.<stackName>.yaml` and checks it as the stack
 * program would. Throws a {@link StackConfigError} naming the file: for a
 * stack without a config file (listing the stacks that have one), a file that
 * is not YAML, an unknown key (naming the nearest known one) or a bad value.
 */
export function checkStackConfig(projectDir: string, stackName: string): Readonly<LabConfig> {
  const project = readProject(projectDir);
  const relativeFile = path.join(project.configDir, `Pulumi.${stackName}.yaml`);
  const file = path.join(projectDir, relativeFile);
  if (!fs.existsSync(file)) {
    const existing = stackNames(projectDir);
    throw new StackConfigError(
      `there is no stack "${stackName}": ${relativeFile} does not exist; ` +
        (existing.length > 0 ? `the stacks are ${existing.join(", ")} (--stack ${existing[0]})` : "no stack has a config file yet") +
        `, or create ${relativeFile} to make a new one`,
    );
  }
  let document: unknown;
  try {
    document = parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new StackConfigError(`${relativeFile} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const config = ((document ?? {}) as { config?: unknown }).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackConfigError(`${relativeFile}: "config" must be a map of keys to values`);
  }
  // Keys of this project, with or without the "<project>:" prefix; other
  // namespaces (e.g. "kubernetes:") belong to providers and are not ours to check.
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const colon = key.indexOf(":");
    if (colon === -1) {
      values[key] = value;
    } else if (key.slice(0, colon) === project.name) {
      values[key.slice(colon + 1)] = value;
    }
  }
  let checked: Readonly<LabConfig>;
  try {
    checked = loadConfig(valuesReader(project.name, values), Object.keys(values));
  } catch (error) {
    throw new StackConfigError(`${relativeFile}: ${(error as Error).message}`);
  }
  checkExistingKubeconfig(checked, relativeFile);
  return checked;
}

/**
 * In existing mode the stack program reads the kubeconfig file and needs the
 * named context in it (components/existing-cluster.ts); check both here, with
 * the component's words, so `lab` refuses before anything runs.
 */
function checkExistingKubeconfig(config: Readonly<LabConfig>, relativeFile: string): void {
  if (config.cluster !== "existing" || config.kubeconfig === undefined || config.kubeContext === undefined) return;
  let content: string;
  try {
    content = fs.readFileSync(config.kubeconfig, "utf8");
  } catch (error) {
    throw new StackConfigError(
      `${relativeFile}: kubeconfig must be the path of a readable kubeconfig file; ${JSON.stringify(config.kubeconfig)} could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  const contexts = kubeconfigContexts(content);
  if (!contexts.includes(config.kubeContext)) {
    throw new StackConfigError(
      `${relativeFile}: context must name a context in ${config.kubeconfig}; got ${JSON.stringify(config.kubeContext)}, the file has ${contexts.length > 0 ? contexts.map((c) => JSON.stringify(c)).join(", ") : "none"}`,
    );
  }
}
