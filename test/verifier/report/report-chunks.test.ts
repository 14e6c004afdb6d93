/**
 * The JSON and HTML views are written in chunks (verifier/report/render.ts,
 * json-pieces.ts): the bytes are exactly `renderJson`'s and `renderHtml`'s,
 * but no chunk is the whole view, so a large run is never held as one string
 * while it is written.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderHtml, renderJson, type VerifyReport } from "../../../verifier";
import { jsonPieces } from "../../../verifier/report/json-pieces";
import { reportChunks } from "../../../verifier/report/render";
import { writeReport } from "../../../verifier/report/write";
import { recorded } from "./recorded";
import { servicesTimes, withExplanations } from "./scaled-report";

const REPORTS: Record<string, () => VerifyReport> = {
  "default-pass": () => recorded("default-pass"),
  failures: () => recorded("failures"),
  "five-nodes": () => recorded("five-nodes"),
  "with --explain": () => withExplanations(recorded("failures")),
  "eight times the Services": () => servicesTimes(recorded("five-nodes"), 8),
};

describe("the JSON and HTML views in chunks", () => {
  test.each(Object.keys(REPORTS))("%s: the chunks are renderJson's and renderHtml's text, byte for byte", (name) => {
    const report = (REPORTS[name] as () => VerifyReport)();
    expect([...reportChunks(report, "json")].join("")).toBe(renderJson(report));
    expect([...reportChunks(report, "html")].join("")).toBe(renderHtml(report));
  });

  test.each([
    ["json", renderJson, 1_000_000],
    ["html", renderHtml, 400_000],
  ] as const)("a large report's %s is written in many chunks, none of them near the whole", (format, render, atLeast) => {
    const report = servicesTimes(recorded("five-nodes"), 8);
    const whole = render(report).length;
    const chunks = [...reportChunks(report, format)];
    expect(whole).toBeGreaterThan(atLeast);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(whole / 3);
  });

  test("the table and JUnit views are their renderer's text in one chunk", () => {
    const report = recorded("failures");
    for (const format of ["table", "junit"] as const) {
      expect([...reportChunks(report, format, { details: true })]).toHaveLength(1);
    }
  });

  test("pieces of odd JSON data join to JSON.stringify's text", () => {
    const odd = {
      gone: undefined,
      emptyArray: [],
      emptyObject: {},
      mixed: [undefined, () => 1, null, [[]], { deep: { deeper: { deepest: [1, { text: "a\nb — \u2028 \"q\"" }] } } }],
      date: new Date(0),
      custom: { toJSON: () => ({ replaced: [1] }) },
      notANumber: Number.NaN,
      'key "quoted"\n': Symbol("left out"),
      holes: [, 1], // eslint-disable-line no-sparse-arrays
      42: "integer keys first",
    };
    for (const value of [odd, [odd, [odd]], [], {}, "text", 3, null, true]) {
      expect([...jsonPieces(value)].join("")).toBe(JSON.stringify(value, null, 2));
    }
  });

  test("writeReport writes a file with renderJson's bytes", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "svclab-json-chunks-"));
    try {
      const report = withExplanations(recorded("failures"));
      const file = path.join(dir, "report.json");
      writeReport(report, "json", {}, file);
      expect(readFileSync(file, "utf8")).toBe(renderJson(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
