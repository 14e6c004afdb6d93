/**
 * The report renderers grow linearly with the report: four times the
 * Services (with their pods and probes), or four times the probes per
 * Service, costs about four times the element steps (element-steps.ts),
 * not sixteen. Counted work, not time: the machine's speed cannot change the
 * verdict. Measured: 3.87–4.09 for every renderer; each quadratic grouping
 * that was fixed made its renderer 4.48–10.3.
 */
import Table from "cli-table3";
import { renderHtml, renderJson, renderJunit, renderMatrix, renderTable, type VerifyReport } from "../../../verifier";
import { ROWS_PER_TABLE } from "../../../verifier/report/table";
import { elementSteps } from "./element-steps";
import { recorded } from "./recorded";
import { probesTimes, servicesTimes, withExplanations } from "./scaled-report";

const RENDERERS: Record<string, (report: VerifyReport) => string> = {
  matrix: (r) => renderMatrix(r),
  table: (r) => renderTable(r),
  json: renderJson,
  junit: renderJunit,
  html: renderHtml,
};

/** Four times the input may cost at most this much more: linear work plus fixed costs. */
const MAX_GROWTH = 4.25;

function growth(render: (report: VerifyReport) => string, scale: (report: VerifyReport, k: number) => VerifyReport, base: VerifyReport): number {
  const small = elementSteps(() => render(scale(base, 8)));
  const large = elementSteps(() => render(scale(base, 32)));
  return large / small;
}

describe.each(Object.entries(RENDERERS))("the %s renderer", (_name, render) => {
  test("takes about four times the steps for four times the Services, pods and probes", () => {
    expect(growth(render, servicesTimes, recorded("failures"))).toBeLessThanOrEqual(MAX_GROWTH);
  });

  test("takes about four times the steps for four times the probes per Service", () => {
    expect(growth(render, probesTimes, recorded("five-nodes"))).toBeLessThanOrEqual(MAX_GROWTH);
  });
});

describe("the html renderer of a run with --explain", () => {
  test("takes about four times the steps for four times the Services, each explained on every node", () => {
    expect(growth(renderHtml, (report, k) => withExplanations(servicesTimes(report, k)), recorded("five-nodes"))).toBeLessThanOrEqual(MAX_GROWTH);
  });
});

describe("the details table drawn in slices", () => {
  test(`reads exactly as one table when it has more than ${ROWS_PER_TABLE} rows`, () => {
    const report = servicesTimes(recorded("failures"), 2);
    const text = renderTable(report);
    const lines = text.split("\n");
    const top = lines.findIndex((l) => l.startsWith("┌"));
    const bottom = lines.findIndex((l) => l.startsWith("└"));
    const drawn = lines.slice(top, bottom + 1);
    // The same rows through one cli-table3 table, as the renderer drew them before slicing.
    const rows = drawn.slice(2, -1).map((l) => l.split("│").slice(1, -1).map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(2 * ROWS_PER_TABLE);
    const one = new Table({ head: drawn[1]?.split("│").slice(1, -1).map((c) => c.trim()) ?? [], style: { head: [], border: [] }, chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" } });
    one.push(...rows);
    expect(drawn.join("\n")).toBe(one.toString());
  });
});
