/**
 * One entry for every view of a report, so `svclab verify` and
 * `svclab report --from` print the very same thing for the same report.
 */
import type { VerifyReport } from "../index";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderMatrix } from "./matrix";
import { renderTable } from "./table";

/** The output formats. `table` is the matrix, or with `details` the per-target table. */
export const REPORT_FORMATS = ["table", "json", "junit", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** `table` only: the per-target table instead of the matrix. Default false. */
  readonly details?: boolean;
  /** `table` only: colour the glyphs. Default false. */
  readonly color?: boolean;
}

/** The report in `format`. */
export function renderReport(report: VerifyReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "junit":
      return renderJunit(report);
    case "html":
      return renderHtml(report);
    case "table":
      return options.details === true ? renderTable(report, { color: options.color ?? false }) : renderMatrix(report, { color: options.color ?? false });
  }
}
