/**
 * Pulumi.yaml against Pulumi's own JSON Schema for project files (vendored in
 * test/project/schemas, since no Pulumi CLI is there to reject a bad file),
 * and in step with loadConfig.
 */
import Ajv2020 from "ajv/dist/2020";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type * as pulumi from "@pulumi/pulumi";
import { CONFIG_DEFAULTS, loadConfig } from "../../stacks/config";

const repo = join(__dirname, "..", "..");
const project = parse(readFileSync(join(repo, "Pulumi.yaml"), "utf8"));

/** Every read loadConfig makes, as [getter, key], from a config with nothing set. */
function readsOfLoadConfig(): Array<[string, string]> {
  const reads: Array<[string, string]> = [];
  const recorder = (getter: string) => (key: string) => {
    reads.push([getter, key]);
    return undefined;
  };
  loadConfig({ get: recorder("get"), getNumber: recorder("getNumber"), getObject: recorder("getObject") } as unknown as pulumi.Config);
  return reads;
}
const reads = readsOfLoadConfig();
const keysRead = reads.map(([, key]) => key);

const SCHEMA_FILE = "pulumi-project.schema.json";
const vendoredSchema = readFileSync(join(__dirname, "schemas", SCHEMA_FILE), "utf8");
const schema = JSON.parse(vendoredSchema);
/** The team's shared copy, beside the checkout in CI; a plain clone may not have it. */
const sharedSchemaPath = join(repo, "..", "shared", "schemas", SCHEMA_FILE);

(existsSync(sharedSchemaPath) ? test : test.skip)("the vendored schema is the shared copy, unchanged", () => {
  expect(vendoredSchema).toBe(readFileSync(sharedSchemaPath, "utf8"));
});

test("Pulumi.yaml is valid against Pulumi's project schema", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const valid = validate(project);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test("the schema check itself rejects an undeclared config type", () => {
  const validate = new Ajv2020({ strict: false }).compile(schema);
  expect(validate({ ...project, config: { workers: { type: "number" } } })).toBe(false);
});

test("runs the TypeScript stack program from stacks/ with stack files beside it", () => {
  expect(project.name).toBe("svclab");
  expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
  expect(project.main).toBe("stacks/index.ts");
  expect(project.stackConfigDir).toBe("stacks");
  expect(readdirSync(join(repo, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).sort()).toEqual(["Pulumi.ci.yaml", "Pulumi.dev.yaml"]);
});

test("declares every key loadConfig reads, each read once, with a description, and no others", () => {
  expect(new Set(keysRead).size).toBe(keysRead.length);
  expect(Object.keys(project.config).sort()).toEqual([...keysRead].sort());
  for (const key of keysRead) {
    expect([key, typeof project.config[key].description]).toEqual([key, "string"]);
  }
});

test("reads each key with the getter its declared type needs", () => {
  const getterFor: Record<string, string> = { string: "get", integer: "getNumber", array: "getObject" };
  for (const [getter, key] of reads) {
    expect([key, getter]).toEqual([key, getterFor[project.config[key].type]]);
  }
});

test("declares the same defaults loadConfig applies", () => {
  for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
    expect([key, project.config[key].default]).toEqual([key, value]);
  }
  // Pulumi makes a declared key without a default required on every stack.
  const withoutDefault = Object.keys(project.config).filter((key) => !(key in CONFIG_DEFAULTS));
  expect(withoutDefault).toEqual([]);
});

test("stack files only set declared keys of this project", () => {
  for (const file of ["Pulumi.dev.yaml", "Pulumi.ci.yaml"]) {
    const stack = parse(readFileSync(join(repo, "stacks", file), "utf8"));
    for (const key of Object.keys(stack.config)) {
      expect([file, key.split(":")[0], keysRead.includes(key.split(":")[1])]).toEqual([file, "svclab", true]);
    }
  }
});
