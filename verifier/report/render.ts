/**
 * One entry for every view of a report, so `svclab verify` and
 * `svclab report --from` print the very same thing for the same report.
 */
import type { VerifyReport } from "../index";
import { htmlParts, renderHtml } from "./html";
import { renderJson } from "./json";
import { jsonPieces } from "./json-pieces";
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

/** Parts of a large view are handed out in chunks about this long: few writes, none large. */
const CHUNK_CHARS = 64 * 1024;

/** `parts` joined into chunks of about {@link CHUNK_CHARS} characters. */
function* chunked(parts: Iterable<string>, end = ""): Generator<string> {
  let chunk = "";
  for (const part of parts) {
    chunk += part;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk + end;
}

/**
 * The report in `format` as chunks to write one after the other: their
 * concatenation is exactly {@link renderReport}'s text. JSON and HTML, the
 * views that grow to megabytes, come in chunks of about {@link CHUNK_CHARS}
 * characters and are never one string (see json-pieces.ts for why that
 * matters); the others are one chunk.
 */
export function* reportChunks(report: VerifyReport, format: ReportFormat, options: RenderOptions = {}): Generator<string> {
  // A generator throughout: nothing is rendered before the first chunk is asked for.
  if (format === "json") yield* chunked(jsonPieces(report), "\n");
  else if (format === "html") yield* chunked(htmlParts(report));
  else yield renderReport(report, format, options);
}
