/**
 * Writes the HTML page of a run next to other output, creating the folder,
 * for callers that produce it besides their main format (`npm run lab`).
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { VerifyReport } from "../index";
import { writeReport } from "./write";

/** Writes `report` as one HTML page to `file` (its folder is created); returns the absolute path. */
export function writeHtmlReport(report: VerifyReport, file: string): string {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeReport(report, "html", {}, target);
  return target;
}
