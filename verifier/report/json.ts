/**
 * `--format json`: the whole report — every probe with its expectation,
 * observation (attempts, identities, DNS records), timing and rule sentence.
 */
import type { VerifyReport } from "../index";

/** The report as indented JSON, newline-terminated. */
export function renderJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
