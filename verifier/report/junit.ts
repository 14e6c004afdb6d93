/**
 * `--format junit`: one test case per probe id for CI dashboards. The
 * classname is the rule id, so failures group by rule; a failed probe gets a
 * `<failure>`, one that could not run an `<error>`, a skipped one `<skipped>`.
 *
 * Written here as text, not built as a document tree: at 200 Services × 5
 * nodes the tree of 7,930 test cases was the largest thing a run held while
 * rendering. The text is the one junit-report-builder 5 (xmlbuilder 15,
 * pretty-printed) wrote, byte for byte, escaping and dropped characters
 * included (test/verifier/report/junit-text.test.ts holds them side by side).
 */
import type { VerifyReport } from "../index";

/** Characters XML 1.0 does not allow; dropped, as xmlbuilder's `invalidCharReplacement: ''` did (its expression, quirks included). */
const NOT_XML = /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/g;

/** An attribute value, escaped as xmlbuilder's `attEscape` does. */
function attr(value: string | number): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;")
    .replace(NOT_XML, "");
}

/** A CDATA section; like xmlbuilder, only the first `]]>` is split. */
function cdata(text: string): string {
  return `<![CDATA[${text.replace("]]>", "]]]]><![CDATA[>").replace(NOT_XML, "")}]]>`;
}

function counts(report: VerifyReport): string {
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const probe of report.probes) {
    if (probe.status === "fail") failures++;
    else if (probe.status === "error") errors++;
    else if (probe.status === "skipped") skipped++;
  }
  return `tests="${report.probes.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
}

/** The report as JUnit XML, in parts: the head, then a test case each. */
export function* junitParts(report: VerifyReport): Generator<string> {
  const all = counts(report);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${all}>\n`;
  const suite = `  <testsuite name="${attr(`svclab verify ${report.cluster.namespace} (${report.cluster.context})`)}" time="${attr(report.durationMs / 1000)}" ${all}`;
  const properties = [["server", report.cluster.server], ...report.notes.map((note) => ["note", note])];
  // The server property is always there, so the suite always has children.
  yield `${suite}>\n    <properties>\n${properties.map(([name, value]) => `      <property name="${attr(name as string)}" value="${attr(value as string)}"/>\n`).join("")}    </properties>\n`;
  for (const probe of report.probes) {
    const head = `    <testcase classname="${attr(probe.rule.id)}" name="${attr(probe.id)}" time="${attr(probe.durationMs / 1000)}"`;
    // The name stays stable for CI history; the run's real pod or address goes in the message.
    const subject = probe.subject !== undefined ? ` Target: ${probe.subject}.` : "";
    const message = `${probe.rule.sentence}.${subject} Expected: ${probe.expect}. Observed: ${probe.reason}`;
    if (probe.status === "fail") yield `${head}>\n      <failure message="${attr(message)}" type="fail"/>\n    </testcase>\n`;
    else if (probe.status === "error") yield `${head}>\n      <error message="${attr(message)}" type="error"/>\n    </testcase>\n`;
    else if (probe.status === "skipped") yield `${head}>\n      <skipped/>\n      <system-out>${cdata(`skipped: ${probe.reason}`)}</system-out>\n    </testcase>\n`;
    else yield `${head}/>\n`;
  }
  yield "  </testsuite>\n</testsuites>";
}

/** The report as a JUnit XML document. */
export function renderJunit(report: VerifyReport): string {
  return [...junitParts(report)].join("");
}
