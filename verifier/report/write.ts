/**
 * Writes a report view to a file or stdout chunk by chunk
 * ({@link reportChunks}), so a large JSON report is never held as one string.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { VerifyReport } from "../index";
import { type RenderOptions, type ReportFormat, reportChunks } from "./render";

/** `writeSync` may write less than asked (as `writeFileSync` knows); write the rest. */
function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes `report` in `format` to `file` (created or truncated, as
 * `writeFileSync` does), else to stdout (synchronous for files and pipes on
 * Linux, so chunks do not pile up in memory).
 */
export function writeReport(report: VerifyReport, format: ReportFormat, options: RenderOptions, file?: string): void {
  if (file === undefined) {
    for (const chunk of reportChunks(report, format, options)) process.stdout.write(chunk);
    return;
  }
  const fd = openSync(file, "w");
  try {
    for (const chunk of reportChunks(report, format, options)) writeAll(fd, Buffer.from(chunk, "utf8"));
  } finally {
    closeSync(fd);
  }
}
