/**
 * The package's layout: what `import "svclab"`, `import "svclab/verifier"`
 * and the `svclab` bin resolve to is built by tsconfig.package.json (what
 * `prepare` runs), and Pulumi's component analyzer finds the components'
 * TypeScript entry. Fast: reads configs, builds nothing (the pack and a real
 * consumer are test/package/consumer.test.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const repo = path.resolve(__dirname, "..", "..");

interface Manifest {
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  typesVersions: Record<string, Record<string, string[]>>;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  private?: boolean;
}
const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as Manifest;

function parsedConfig(file: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repo, file), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (parsed === undefined) throw new Error(`${file} could not be read`);
  return parsed;
}

const pkg = parsedConfig("tsconfig.package.json");
const packageSources = pkg.fileNames.map((f) => path.relative(repo, f).split(path.sep).join("/"));

/** The source a published file is compiled from: lib/x/y.js and lib/x/y.d.ts come from x/y.ts. */
function sourceOf(published: string): string {
  const relative = published.replace(/^\.\//, "");
  expect(relative.startsWith("lib/")).toBe(true);
  return relative.slice("lib/".length).replace(/(\.d\.ts|\.js)$/, ".ts");
}

/** Every file path package.json promises a consumer. */
function promisedFiles(): string[] {
  const fromExports = Object.values(manifest.exports).flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)));
  return [manifest.main, manifest.types, ...fromExports, ...Object.values(manifest.bin), ...Object.values(manifest.typesVersions["*"] ?? {}).flat()].filter(
    (file) => file !== "./package.json",
  );
}

describe("the published package", () => {
  test("is publishable, and prepare builds it with tsconfig.package.json into a cleaned lib/", () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.scripts.prepare).toBe("npm run build:package");
    expect(manifest.scripts["build:package"]).toMatch(/rmSync\('lib'.*&& tsc -p tsconfig\.package\.json$/);
    expect(path.relative(repo, pkg.options.outDir ?? "")).toBe("lib");
    expect(path.relative(repo, pkg.options.rootDir ?? "")).toBe("");
    expect(pkg.options.declaration).toBe(true);
  });

  test("the entry is the components barrel, the verifier a subpath, the CLI the bin", () => {
    expect(manifest.exports["."]).toEqual({ types: "./lib/index.d.ts", default: "./lib/index.js" });
    expect(manifest.exports["./verifier"]).toEqual({ types: "./lib/verifier/index.d.ts", default: "./lib/verifier/index.js" });
    expect([manifest.main, manifest.types]).toEqual(["lib/index.js", "lib/index.d.ts"]);
    expect(manifest.bin).toEqual({ svclab: "lib/bin/svclab.js" });
    // moduleResolution "node" (Pulumi's TypeScript template) ignores exports; typesVersions finds the subpath's types.
    expect(manifest.typesVersions).toEqual({ "*": { verifier: ["lib/verifier/index.d.ts"] } });
    expect(fs.readFileSync(path.join(repo, "index.ts"), "utf8")).toMatch(/^export \* from "\.\/components";$/m);
  });

  test("every file package.json promises is compiled from a source tsconfig.package.json builds", () => {
    const missing = promisedFiles().filter((file) => !packageSources.includes(sourceOf(file)));
    expect(missing).toEqual([]);
  });

  test("the package build leaves out tests, benchmarks and the stack program", () => {
    const stray = packageSources.filter((file) => /^(test|bench)\//.test(file) || file === "stacks/index.ts" || file === "stacks/lab.ts");
    expect(stray).toEqual([]);
  });

  test("Pulumi's component analyzer finds index.ts: the entry's .ts twin does not exist, and index.ts is in tsconfig.json", () => {
    // The analyzer maps exports["."] and main from .js to .ts beside the package, then falls back to index.ts in the root.
    expect(fs.existsSync(path.join(repo, "lib", "index.ts"))).toBe(false);
    const project = parsedConfig("tsconfig.json").fileNames.map((f) => path.relative(repo, f));
    expect(project).toContain("index.ts");
  });

  test("files ships lib/ and the demo app's Docker build context, never tests", () => {
    expect(manifest.files).toContain("lib/");
    for (const context of ["apps/Dockerfile", "apps/package.json", "apps/package-lock.json", "apps/tsconfig.json", "apps/src/"]) {
      expect(manifest.files).toContain(context);
    }
    expect(manifest.files.filter((entry) => /test|fixture|bench|stacks/.test(entry))).toEqual([]);
  });
});
