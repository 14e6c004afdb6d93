/**
 * `--format html`: one self-contained page (inline CSS, SVG and script;
 * nothing fetched, works from file://, readable printed) drawing the cluster
 * and every probed path, rendered from the report alone.
 */
import type { VerifyReport } from "../index";
import { esc } from "./escape";
import { SCRIPT, STYLE } from "./html-assets";
import { matrixTable, problemsList, serviceDetails } from "./html-details";
import { explainBlock, explanationsSection } from "./html-explain";
import { pictureParts } from "./html-picture";
import { COLUMN_KINDS, COLUMN_TITLES, pictureOf } from "./picture";
import { summaryLine } from "./table";
import { GLYPHS, MEANINGS, VERDICTS } from "./verdict";

function header(report: VerifyReport): string {
  const { cluster, summary } = report;
  const state = summary.fail > 0 ? "failed" : summary.error > 0 ? "error" : summary.pass === 0 ? "skipped" : "reached";
  const verdictWord = summary.fail > 0 ? "rules broken" : summary.error > 0 ? "some probes could not run" : summary.pass === 0 ? "nothing proven" : "every rule holds";
  const legend = VERDICTS.map((v) => `<span class="v-${v}"><i></i>${esc(GLYPHS[v])} ${esc(MEANINGS[v])}</span>`).join("");
  return `<header><h1>svclab verify · ${esc(cluster.namespace)} · context ${esc(cluster.context)}</h1>
<div class="summary"><span class="big v-${state}" id="summary">${esc(summaryLine(summary))} — ${verdictWord}</span><span>${summary.total} probes in ${(report.durationMs / 1000).toFixed(1)} s · exit code ${report.exitCode}</span><span>${esc(cluster.server)}</span><span>started ${esc(report.startedAt)}</span></div>
<div class="legend" id="legend">${legend}<span>arrows: vantage → Service (solid), Service → pods that answered (dotted, thicker = more answers)</span></div></header>`;
}

/** The report as a complete HTML document. */
export function renderHtml(report: VerifyReport): string {
  return [...htmlParts(report)].join("");
}

/**
 * {@link renderHtml}'s text in parts (the picture's arrows a Service at a
 * time, a details section per Service), so the page can be written without
 * ever being one string: it is 4.3 M characters at 200 Services × 5 nodes,
 * two bytes each (its glyphs are outside Latin-1).
 */
export function* htmlParts(report: VerifyReport): Generator<string> {
  const picture = pictureOf(report);
  const notes = report.notes.length > 0 ? `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  const skipped = picture.skipped.length > 0
    ? `<h2>Skipped (never counted as passed)</h2><ul>${picture.skipped.map((r) => `<li><code>${esc(r.id)}</code>: ${esc(r.reason)}</li>`).join("")}</ul>`
    : "";
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>svclab verify · ${esc(report.cluster.namespace)} · ${esc(report.cluster.context)}</title><style>${STYLE}</style></head>
<body>${header(report)}
<main><div>
<p class="hint interactive">Select a Service (its box or its matrix row) to highlight its paths and read its rules; select it again or press Escape to see every path.</p>
<p class="hint">Each arrow is one probe. Requests land on a Service's edge by address, top to bottom: ${COLUMN_KINDS.map((k) => esc(COLUMN_TITLES[k])).join(", ")}; from the left they come from this machine or the API server, from the right from the probe agent on a node. A bar instead of an arrowhead: not reachable, as the rule says.</p>
`;
  yield* pictureParts(picture);
  yield `
<h2>Matrix</h2>${matrixTable(picture)}
<h2>Failures and errors</h2>${problemsList(picture)}${skipped}${notes}${explanationsSection(report, picture.services.map((s) => s.name))}
</div>
<aside><p id="no-selection" class="hint">No Service selected: every path is drawn. Select one to see its rules, port chain, answers per pod and affinity.</p>
`;
  let first = true;
  for (const s of picture.services) {
    yield `${first ? "" : "\n"}${serviceDetails(s, explainBlock(s.name, report))}`;
    first = false;
  }
  yield `</aside></main>
<script>${SCRIPT}</script></body></html>
`;
}
