/**
 * The JUnit view is written as text (verifier/report/junit.ts), no longer
 * built with junit-report-builder's document tree: for any report the bytes
 * are the builder's, escaping and dropped characters included. The builder
 * stays here as the reference, with the renderer as it was.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import junit from "junit-report-builder";
import type { VerifyReport } from "../../../verifier";
import { renderJunit } from "../../../verifier/report/junit";
import type { RuleId } from "../../../verifier/rules";
import type { ProbeResult } from "../../../verifier/types";
import { recorded } from "./recorded";
import { servicesTimes, withExplanations } from "./scaled-report";

/** The renderer as it was, on junit-report-builder. */
function builderJunit(report: VerifyReport): string {
  const builder = junit.newBuilder();
  const suite = builder
    .testSuite()
    .name(`svclab verify ${report.cluster.namespace} (${report.cluster.context})`)
    .time(report.durationMs / 1000)
    .property("server", report.cluster.server);
  for (const note of report.notes) suite.property("note", note);
  for (const probe of report.probes) {
    const testCase = suite.testCase().className(probe.rule.id).name(probe.id).time(probe.durationMs / 1000);
    const subject = probe.subject !== undefined ? ` Target: ${probe.subject}.` : "";
    const message = `${probe.rule.sentence}.${subject} Expected: ${probe.expect}. Observed: ${probe.reason}`;
    if (probe.status === "fail") testCase.failure(message, "fail");
    else if (probe.status === "error") testCase.error(message, "error");
    else if (probe.status === "skipped") testCase.skipped().standardOutput(`skipped: ${probe.reason}`);
  }
  return builder.build();
}

/** Text XML must escape or cannot hold: markup, whitespace in attributes, control characters, lone surrogates, CDATA ends. */
const AWKWARD = ["a & b", "<tag>", '"quoted"', "it's", "tab\there", "line\nbreak", "cr\rlf\r\n", "bell\x07", "nul\0", "lone \uD800 high", "lone \uDC00 low", "pair 😀", "]]> twice ]]>", "\uFFFE\uFFFF", "— ✓ ✗", ""];

function awkward(report: VerifyReport): VerifyReport {
  const statuses = ["pass", "fail", "error", "skipped"] as const;
  const probes: ProbeResult[] = report.probes.map((p, i) => {
    const text = AWKWARD[i % AWKWARD.length] as string;
    return {
      ...p,
      id: `${p.id}${text}`,
      status: statuses[i % statuses.length] as ProbeResult["status"],
      reason: `reason ${text}`,
      expect: `${p.expect} ${text}`,
      durationMs: i % 3 === 0 ? i / 7 : i,
      ...(i % 2 === 0 ? { subject: `subject ${text}` } : {}),
      rule: { id: `${p.rule.id}${i % 5 === 0 ? " & <x>" : ""}` as RuleId, sentence: `${p.rule.sentence}${i % 4 === 1 ? ` ${text}` : ""}` },
    };
  });
  return {
    ...report,
    durationMs: 1234.5678,
    cluster: { ...report.cluster, namespace: `ns & "q" <${AWKWARD[7]}>`, context: "ctx\tx\ny", server: "http://127.0.0.1:1/?a=1&b=2" },
    notes: [...report.notes, ...AWKWARD.map((t) => `note ${t}`)],
    probes,
  };
}

const REPORTS: Record<string, () => VerifyReport> = {
  "default-pass": () => recorded("default-pass"),
  failures: () => recorded("failures"),
  "five-nodes": () => recorded("five-nodes"),
  "with --explain": () => withExplanations(recorded("failures")),
  "eight times the Services": () => servicesTimes(recorded("five-nodes"), 8),
  "awkward text everywhere": () => awkward(recorded("failures")),
  "no probes, no notes": () => ({ ...recorded("failures"), probes: [], notes: [] }),
};

describe("JUnit as text", () => {
  test("rendering every view loads no JUnit builder (its bundle and tree are not paid for)", () => {
    // A fresh process: this test file loads the builder itself, as the reference.
    const root = path.resolve(__dirname, "../../..");
    const script = [
      `const { renderReport } = require(${JSON.stringify(path.join(root, "verifier/report/render.ts"))});`,
      `const report = JSON.parse(require("node:fs").readFileSync(${JSON.stringify(path.join(root, "test/fixtures/verify-reports/failures.json"))}, "utf8"));`,
      `for (const format of ["table", "json", "junit", "html"]) renderReport(report, format);`,
      `console.log(JSON.stringify(Object.keys(require.cache).filter((file) => /junit-report-builder|xmlbuilder/.test(file))));`,
    ].join("\n");
    const loaded = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: root, encoding: "utf8", timeout: 60000 });
    expect(JSON.parse(loaded)).toEqual([]);
  });

  test.each(Object.keys(REPORTS))("%s: the same bytes as junit-report-builder", (name) => {
    const report = (REPORTS[name] as () => VerifyReport)();
    expect(renderJunit(report)).toBe(builderJunit(report));
  });
});
