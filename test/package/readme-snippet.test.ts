/**
 * README's "Use the components in your own program" shows a TypeScript
 * program importing `svclab`: it must type-check against the components as
 * they are (tsconfig.json maps the name `svclab` to this checkout's entry),
 * so a changed arg or output cannot leave the README behind.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";

// Type-checking loads the Pulumi and Kubernetes SDK declarations: ~20 s on a loaded 2-core machine, so no tight limit.
jest.setTimeout(5 * 60_000);

const repo = join(__dirname, "..", "..");
const SECTION = "## Use the components in your own program";

/** The TypeScript blocks of the README section. */
function snippets(): string[] {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const start = readme.indexOf(SECTION);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + SECTION.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "svclab-readme-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the section's TypeScript imports svclab by name and type-checks", () => {
  const blocks = snippets();
  expect(blocks.length).toBeGreaterThan(0);
  const parsed = ts.getParsedCommandLineOfConfigFile(join(repo, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (parsed === undefined) throw new Error("tsconfig.json could not be read");
  const files = blocks.map((block, i) => {
    expect(block).toMatch(/from "svclab(\/verifier)?";/);
    const file = join(scratch, `snippet-${i}.ts`);
    writeFileSync(file, block);
    return file;
  });
  // The snippets live outside the checkout: no rootDir to hold them in.
  const program = ts.createProgram(files, { ...parsed.options, rootDir: undefined, noEmit: true });
  const problems = files.flatMap((file) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
  );
  expect(problems).toEqual([]);
});
