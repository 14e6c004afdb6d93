/**
 * The programs in examples/ are what users copy: each Pulumi.yaml is valid
 * against Pulumi's project schema (vendored in test/project/schemas, no
 * Pulumi CLI here), and a TypeScript example depends on the package by name
 * and declares with the same default every config key its program reads.
 */
import Ajv2020 from "ajv/dist/2020";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const repo = join(__dirname, "..", "..");
const examplesDir = join(repo, "examples");
const schema = JSON.parse(readFileSync(join(repo, "test", "project", "schemas", "pulumi-project.schema.json"), "utf8"));

interface Project {
  name: string;
  runtime: string | { name: string };
  main?: string;
  config?: Record<string, { type: string; default?: unknown }>;
}
const examples = readdirSync(examplesDir).filter((entry) => existsSync(join(examplesDir, entry, "Pulumi.yaml")));
const projectOf = (example: string) => parse(readFileSync(join(examplesDir, example, "Pulumi.yaml"), "utf8")) as Project;
const runtimeOf = (project: Project) => (typeof project.runtime === "string" ? project.runtime : project.runtime.name);
const typescriptExamples = examples.filter((example) => runtimeOf(projectOf(example)) === "nodejs");

test("there is a TypeScript example", () => {
  expect(typescriptExamples).toContain("typescript-edge-services");
});

test.each(examples)("examples/%s/Pulumi.yaml is valid against Pulumi's project schema", (example) => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  validate(projectOf(example));
  expect(validate.errors ?? []).toEqual([]);
});

describe.each(typescriptExamples)("examples/%s", (example) => {
  const dir = join(examplesDir, example);
  const project = projectOf(example);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { main: string; dependencies: Record<string, string> };

  test("depends on svclab by name, installed from this checkout like a tarball (packed, not linked)", () => {
    expect(manifest.dependencies.svclab).toBe("file:../..");
    expect(readFileSync(join(dir, ".npmrc"), "utf8")).toMatch(/^install-links=true$/m);
    expect(manifest.main).toBe(project.main);
    expect(existsSync(join(dir, project.main ?? "index.ts"))).toBe(true);
  });

  test("imports svclab only by its package name, never by a path into the checkout", () => {
    const sources = readdirSync(dir).filter((file) => file.endsWith(".ts"));
    const imports = sources.flatMap((file) => [...readFileSync(join(dir, file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]));
    expect(imports.filter((specifier) => specifier.startsWith("."))).toEqual([]);
    expect(imports).toContain("svclab");
  });

  test("declares every config key the program reads, with the program's default", () => {
    const program = readFileSync(join(dir, project.main ?? "index.ts"), "utf8");
    const reads = [...program.matchAll(/config\.get\w*\("(\w+)"[^)]*\)\s*\?\?\s*("[^"]*"|\d+)/g)].map((m) => [m[1], JSON.parse(m[2] ?? "null")]);
    expect(reads.length).toBeGreaterThan(0);
    const declared = Object.entries(project.config ?? {}).map(([key, spec]) => [key, spec.default]);
    expect(reads.sort()).toEqual(declared.sort());
  });
});
