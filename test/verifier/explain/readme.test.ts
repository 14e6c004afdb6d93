/**
 * The README shows two explained paths from the real capture; they must be
 * what `svclab explain` prints today.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { runExplain } from "../../../verifier/explain/cli";

const projectDir = path.resolve(__dirname, "..", "..", "..");

/** The console blocks of the README that run `svclab explain`, as command flags and printed text. */
function readmeExamples(): { args: string[]; printed: string }[] {
  const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
  return [...readme.matchAll(/```console\n\$ node dist\/bin\/svclab\.js explain ((?:.*\\\n)*.*)\n([\s\S]*?)```/g)].map((m) => ({
    args: (m[1] as string).replace(/\\\n/g, " ").trim().split(/\s+/),
    printed: m[2] as string,
  }));
}

async function explainOutput(args: string[]): Promise<{ code: number; out: string }> {
  const [service, ...rest] = args;
  const flags: Record<string, string | boolean> = { namespace: "svclab" };
  for (let i = 0; i < rest.length; i += 2) flags[(rest[i] as string).replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = rest[i + 1] as string;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const cwd = process.cwd();
  process.chdir(projectDir);
  try {
    const code = await runExplain(service as string, flags as never, out, new PassThrough());
    return { code, out: Buffer.concat(chunks).toString("utf8") };
  } finally {
    process.chdir(cwd);
  }
}

describe("README's svclab explain examples", () => {
  const examples = readmeExamples();

  it("has the NodePort and the sticky example", () => {
    expect(examples.map((e) => e.args[0])).toEqual(["frontend-nodeport", "frontend-sticky"]);
  });

  it.each(examples.map((e) => [e.args[0] as string, e] as const))("%s: shows what svclab explain prints", async (_name, example) => {
    const result = await explainOutput(example.args);
    expect(result.code).toBe(0);
    expect(result.out).toBe(example.printed);
  });
});
