/**
 * The HTML report's inline style and script. Inline so the page is one file
 * that fetches nothing (it works from file:// and offline); the script only
 * toggles classes, opens explanation blocks and reads `data-` attributes,
 * never writes markup.
 */

export const STYLE = `
:root{--reached:#1a7f37;--unreachable:#1b7c99;--failed:#cf222e;--error:#b07800;--skipped:#8c959f;--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--paper:#fff;--tint:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--paper)}
header{position:sticky;top:0;z-index:2;background:var(--paper);border-bottom:1px solid var(--line);padding:8px 16px}
header h1{font-size:17px;margin:0 0 2px}
.summary{display:flex;flex-wrap:wrap;gap:14px;align-items:baseline}
.summary .big{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:14px;color:var(--muted);font-size:13px;margin-top:2px}
.legend i{display:inline-block;width:22px;height:0;border-top:3px solid currentColor;vertical-align:middle;margin-right:4px}
.legend .v-unreachable i{border-top-style:dashed}
main{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px;padding:12px 16px}
aside{position:sticky;top:96px;align-self:start;max-height:calc(100vh - 110px);overflow:auto;border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:var(--tint)}
aside h3{margin:0 0 6px;font-size:16px;word-break:break-all}
aside h4{margin:10px 0 4px;font-size:13px}
aside dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0;font-size:13px}
aside dt{color:var(--muted)} aside dd{margin:0;word-break:break-all}
.rules{padding-left:16px;font-size:13px} .rules li{margin-bottom:4px} .rules ul{padding-left:14px}
.shares{border-collapse:collapse;font-size:12px;width:100%} .shares td,.shares th{padding:1px 4px;text-align:left;border-bottom:1px solid var(--line)}
.num{text-align:right}
.bar{display:inline-block;height:8px;background:var(--reached);vertical-align:middle;max-width:60px}
svg{width:100%;height:auto;display:block}
svg text{font-size:12px;fill:var(--ink)}
.col-head{font-weight:600;fill:var(--muted)}
.outside rect,.apiserver rect{fill:#eef4ff;stroke:#8fb3ff}
.node>rect{fill:var(--tint);stroke:#9aa5b1}
.node.control-plane>rect{fill:#fff8e6;stroke:#d4a72c;stroke-width:1.5}
.node-name{font-weight:600;font-size:13px}
.node-meta,.ip{fill:var(--muted);font-size:11px}
.role{font-weight:600}
.pod circle.ready{fill:var(--reached)} .pod circle.unready{fill:var(--failed)}
.not-ready text{fill:var(--failed)}
.agent rect{fill:#e7ecf2;stroke:#c0c8d2}
.svc{cursor:pointer}
.svc rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
.svc:hover rect,.svc:focus rect{stroke:#0969da;stroke-width:2}
.svc.hl rect{stroke:#0969da;stroke-width:3;fill:#ddf4ff}
.svc:focus{outline:none}
.svc-name{font-weight:700;font-size:14px}
.svc-meta{fill:var(--muted)}
.slot{fill:#8c959f}
.path,.answer{fill:none;stroke-width:1.3;opacity:.5}
.answer{stroke-dasharray:2 3}
.path[data-verdict=unreachable]{stroke-dasharray:6 4}
[data-verdict=reached]{stroke:var(--reached)} [data-verdict=unreachable]{stroke:var(--unreachable)}
[data-verdict=failed]{stroke:var(--failed);opacity:.9} [data-verdict=error]{stroke:var(--error);opacity:.8} [data-verdict=skipped]{stroke:var(--skipped)}
marker path{stroke:none}
marker.v-reached path{fill:var(--reached)} marker.v-unreachable path{fill:var(--unreachable)} marker.v-failed path{fill:var(--failed)} marker.v-error path{fill:var(--error)} marker.v-skipped path{fill:var(--skipped)}
.has-selection .path,.has-selection .answer{opacity:.06}
.has-selection .path.hl,.has-selection .answer.hl{opacity:1;stroke-width:2.2}
.v-reached{color:var(--reached);fill:var(--reached)} .v-unreachable{color:var(--unreachable);fill:var(--unreachable)} .v-failed{color:var(--failed);fill:var(--failed)} .v-error{color:var(--error);fill:var(--error)} .v-skipped{color:var(--skipped);fill:var(--skipped)}
.matrix{border-collapse:collapse;margin-top:12px;font-size:13px}
.matrix caption{text-align:left;color:var(--muted);padding-bottom:4px}
.matrix th,.matrix td{border:1px solid var(--line);padding:2px 8px;text-align:left;white-space:nowrap}
.matrix tbody tr{cursor:pointer} .matrix tbody tr:hover,.matrix tbody tr.hl{background:#ddf4ff}
.problems{padding-left:18px} .problems li{margin-bottom:6px}
.problems i{color:var(--ink)}
.hint{color:var(--muted);font-size:13px;margin:4px 0}
code{font-size:12px;word-break:break-all}
h2{font-size:15px;margin:18px 0 6px}
.explanation h3{font-size:14px;margin:12px 0 4px}
.explain-node{border:1px solid var(--line);border-radius:6px;margin:4px 0;padding:2px 8px;background:var(--tint);scroll-margin-top:110px}
.explain-node summary{cursor:pointer;font-size:13px}
.explain-node pre{font-size:12px;overflow:auto;margin:6px 0}
.explain-node:target{outline:2px solid #0969da}
.explain-sources{font-size:13px;padding-left:18px}
.matrix td a{color:inherit;text-decoration:none}
@media print{
  header,aside{position:static;max-height:none;overflow:visible}
  main{display:block}
  .path,.answer{opacity:.7}
  .details{display:block!important;break-inside:avoid;border-top:1px solid var(--line);margin-top:8px}
  .hint.interactive{display:none}
  .matrix{font-size:10px} .matrix th,.matrix td{padding:1px 3px;white-space:normal}
  .explain-node pre{white-space:pre-wrap}
}
`;

/**
 * Selecting a Service (click, Enter or Space on its box or matrix row)
 * highlights its paths and shows its details; Escape clears. A link to an
 * explanation opens it.
 */
export const SCRIPT = `
(function () {
  var selected = null;
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function select(name) {
    selected = name === selected ? null : name;
    document.body.classList.toggle("has-selection", selected !== null);
    all("[data-service]").forEach(function (el) {
      var on = selected !== null && el.getAttribute("data-service") === selected;
      el.classList.toggle("hl", on);
      if (el.classList.contains("details")) el.hidden = !on;
      if (el.hasAttribute("data-select")) el.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var none = document.getElementById("no-selection");
    if (none) none.hidden = selected !== null;
  }
  all("[data-select]").forEach(function (el) {
    el.addEventListener("click", function () { select(el.getAttribute("data-select")); });
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(el.getAttribute("data-select")); }
    });
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && selected !== null) select(selected); });
  // A link to an explanation opens its collapsed block, also when the address already ends in that anchor.
  function openExplanation(hash) {
    var id;
    try { id = decodeURIComponent(hash.slice(1)); } catch (error) { return; }
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href^='#explain/']") : null;
    if (link) openExplanation(link.getAttribute("href"));
  });
  window.addEventListener("hashchange", function () { openExplanation(location.hash); });
  openExplanation(location.hash);
})();
`;
