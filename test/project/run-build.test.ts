/**
 * `npm run lab` compiles only the run path, incrementally: the CLI and what it
 * imports, never the tests, so a built checkout starts within seconds.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const projectDir = path.resolve(__dirname, "..", "..");
const scripts = (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

function runConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(projectDir, "tsconfig.run.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (parsed === undefined) throw new Error("tsconfig.run.json could not be read");
  return parsed;
}

describe("the run path build", () => {
  it.each(["lab", "lab:down", "verify"])("npm run %s builds the run path with tsc -b, not the whole project", (script) => {
    expect(scripts[script]).toMatch(/^tsc -b tsconfig\.run\.json && node dist\/bin\/svclab\.js /);
    expect(scripts[script]).not.toContain("npm run build");
  });

  it("includes the CLI and leaves out tests and benchmarks", () => {
    const files = runConfig().fileNames.map((file) => path.relative(projectDir, file));
    expect(files).toContain(path.join("bin", "svclab.ts"));
    expect(files.filter((file) => file.startsWith(`test${path.sep}`) || file.startsWith(`bench${path.sep}`))).toEqual([]);
  });

  it("is incremental and writes the same layout as the full build", () => {
    const { options } = runConfig();
    expect(options.incremental).toBe(true);
    expect(path.relative(projectDir, options.outDir ?? "")).toBe("dist");
    expect(path.relative(projectDir, options.rootDir ?? "")).toBe("");
  });

  it("npm test still builds everything", () => {
    expect(scripts.test).toBe("npm run build && jest");
    expect(scripts.build).toBe("tsc -p tsconfig.json");
  });
});
