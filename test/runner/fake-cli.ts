/**
 * Fake `docker` and `kind` executables for preflight and down tests: a temp
 * directory placed on PATH holds small Node scripts that record each call
 * (one JSON line per call) and answer with canned output chosen by their
 * arguments. This is the one place where a fake CLI is the right stand-in:
 * the code under test spawns real processes and reads their output.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What a fake program prints for one argument list. */
export interface CannedAnswer {
  readonly stdout?: string;
  readonly stderr?: string;
  /** Exit code; default 0. */
  readonly code?: number;
  /** Wait this long before answering (to exercise timeouts). */
  readonly delayMs?: number;
}

/** Answers keyed by the arguments joined with single spaces; `*` answers anything else. */
export type FakeProgram = Readonly<Record<string, CannedAnswer>>;

export interface FakeCli {
  /** The directory to put on PATH. */
  readonly binDir: string;
  /** An environment whose PATH is only the fake directory. */
  readonly env: NodeJS.ProcessEnv;
  /** The calls made so far, in order, as `program arg arg…`. */
  calls(): string[];
  /** For each call, the values of the environment variables named in `recordEnv`. */
  callEnvs(): Record<string, string | undefined>[];
  /** For each call, the content of the files named in `recordFiles` at that moment (`null` when absent). */
  callFiles(): Record<string, string | null>[];
  /** Removes the temp directory. */
  cleanup(): void;
}

/** Writes the given fake programs into a fresh temp directory; each call logs the variables named in `recordEnv`. */
export function createFakeCli(programs: Readonly<Record<string, FakeProgram>>, recordEnv: readonly string[] = [], recordFiles: readonly string[] = []): FakeCli {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-fake-cli-"));
  const binDir = path.join(root, "bin");
  const log = path.join(root, "calls.jsonl");
  fs.mkdirSync(binDir);
  fs.writeFileSync(log, "");
  for (const [name, answers] of Object.entries(programs)) {
    const spec = path.join(root, `${name}.json`);
    fs.writeFileSync(spec, JSON.stringify(answers));
    const script = [
      `#!${process.execPath}`,
      `const fs = require("fs");`,
      `const args = process.argv.slice(2);`,
      `const env = Object.fromEntries(${JSON.stringify(recordEnv)}.map((key) => [key, process.env[key]]));`,
      `const files = Object.fromEntries(${JSON.stringify(recordFiles)}.map((file) => [file, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null]));`,
      `fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ call: [${JSON.stringify(name)}, ...args], env, files }) + "\\n");`,
      `const answers = JSON.parse(fs.readFileSync(${JSON.stringify(spec)}, "utf8"));`,
      `const answer = answers[args.join(" ")] ?? answers["*"] ?? { stderr: "fake ${name}: no answer for " + args.join(" "), code: 99 };`,
      `setTimeout(() => {`,
      `  process.stdout.write(answer.stdout ?? "");`,
      `  process.stderr.write(answer.stderr ?? "");`,
      `  process.exitCode = answer.code ?? 0;`,
      `}, answer.delayMs ?? 0);`,
    ].join("\n");
    fs.writeFileSync(path.join(binDir, name), script, { mode: 0o755 });
  }
  const entries = () =>
    fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { call: string[]; env: Record<string, string | undefined>; files: Record<string, string | null> });
  return {
    binDir,
    env: { ...process.env, PATH: binDir },
    calls: () => entries().map((entry) => entry.call.join(" ")),
    callEnvs: () => entries().map((entry) => entry.env),
    callFiles: () => entries().map((entry) => entry.files),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
