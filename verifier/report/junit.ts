/**
 * `--format junit`: one test case per probe id for CI dashboards. The
 * classname is the rule id, so failures group by rule; a failed probe gets a
 * `<failure>`, one that could not run an `<error>`, a skipped one `<skipped>`.
 */
import junit from "junit-report-builder";
import type { VerifyReport } from "../index";

/** The report as a JUnit XML document. */
export function renderJunit(report: VerifyReport): string {
  const builder = junit.newBuilder();
  const suite = builder
    .testSuite()
    .name(`svclab verify ${report.cluster.namespace} (${report.cluster.context})`)
    .time(report.durationMs / 1000)
    .property("server", report.cluster.server);
  for (const note of report.notes) suite.property("note", note);
  for (const probe of report.probes) {
    const testCase = suite
      .testCase()
      .className(probe.rule.id)
      .name(probe.id)
      .time(probe.durationMs / 1000);
    // The name stays stable for CI history; the run's real pod or address goes in the message.
    const subject = probe.subject !== undefined ? ` Target: ${probe.subject}.` : "";
    const message = `${probe.rule.sentence}.${subject} Expected: ${probe.expect}. Observed: ${probe.reason}`;
    if (probe.status === "fail") testCase.failure(message, "fail");
    else if (probe.status === "error") testCase.error(message, "error");
    else if (probe.status === "skipped") testCase.skipped().standardOutput(`skipped: ${probe.reason}`);
  }
  return builder.build();
}
