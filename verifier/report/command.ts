/**
 * `svclab report --from report.json`: re-renders a saved run in any format,
 * from the report alone (no cluster needed). Exit 0 once written; 2 when the
 * file cannot be read or is not a svclab report.
 */
import { Command, Option } from "commander";
import { ReportFileError, readReport } from "./load";
import { REPORT_FORMATS, type ReportFormat } from "./render";
import { writeReport } from "./write";

interface ReportFlags {
  from: string;
  format: ReportFormat;
  details?: boolean;
  out?: string;
}

/** The `report` subcommand. */
export function reportCommand(): Command {
  return new Command("report")
    .description("Re-render a saved run (svclab verify --format json) as the matrix, the detailed table, HTML, JSON or JUnit.")
    .requiredOption("--from <file>", "a report written by svclab verify --format json")
    .addOption(new Option("--format <format>", "output format").choices([...REPORT_FORMATS]).default("table"))
    .option("--details", "with --format table: the per-target table instead of the matrix")
    .option("--out <file>", "write to a file instead of stdout")
    .action((flags: ReportFlags) => {
      process.exitCode = runReport(flags);
    });
}

function runReport(flags: ReportFlags): number {
  let report;
  try {
    report = readReport(flags.from);
  } catch (err) {
    if (!(err instanceof ReportFileError)) throw err;
    process.stderr.write(`svclab report: ${err.message}\n`);
    return 2;
  }
  const options = { details: flags.details ?? false, color: flags.out === undefined && process.stdout.isTTY === true };
  writeReport(report, flags.format, options, flags.out);
  if (flags.out !== undefined) process.stdout.write(`report written to ${flags.out}\n`);
  return 0;
}
