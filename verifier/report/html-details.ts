/**
 * The HTML report's text parts: the matrix as a table (a row selects its
 * Service), one details section per Service (its rules with their
 * sentences, the port chain, the share of answers per pod, the affinity
 * result) and the failures and errors.
 */
import type { ProbeResult } from "../types";
import { cellText } from "./cells";
import { esc } from "./escape";
import { serviceHref } from "./explanations";
import { pushTo } from "./group";
import { groupNodeColumns } from "./matrix-columns";
import type { Picture, ServiceView } from "./picture";
import { GLYPHS, MEANINGS, type Verdict, VERDICTS, verdictOf } from "./verdict";

/** Glyphs of a cell with each verdict coloured. */
function glyphSpans(text: string): string {
  return esc(text).replace(/skip|✓|–|✗|!/g, (g) => {
    const verdict = (Object.keys(GLYPHS) as Verdict[]).find((v) => GLYPHS[v] === g) ?? "skipped";
    return `<span class="v-${verdict}">${g}</span>`;
  });
}

/** The matrix: a row per Service, a column per address kind (nodes that agree grouped past 12 columns). */
export function matrixTable(picture: Picture): string {
  const columns = groupNodeColumns(picture, (cols) => cols.length <= 12);
  const head = `<tr><th>Service</th><th>type</th><th>ports</th>${columns
    .map((c) => `<th${c.nodes !== undefined ? ` title="node port on ${esc(c.nodes.join(", "))}"` : ""}>${esc(c.nodes !== undefined ? `node ${c.header}` : c.header)}</th>`)
    .join("")}</tr>`;
  const rows = picture.services
    .map((s) => {
      const cells = columns
        .map((c) => {
          const glyphs = glyphSpans(cellText(s.cells.get(c.keys[0] as string)));
          // With --explain a cell opens the explanation on its node (a node-port column), else the Service's.
          const href = glyphs === "" ? undefined : serviceHref(picture.report, s.name, c.nodes?.length === 1 ? c.nodes[0] : undefined);
          return `<td>${href === undefined ? glyphs : `<a href="${esc(href)}">${glyphs}</a>`}</td>`;
        })
        .join("");
      return `<tr data-service="${esc(s.name)}" data-select="${esc(s.name)}" tabindex="0"><th scope="row">${esc(s.name)}</th><td>${esc(s.type)}</td><td>${esc(s.ports)}</td>${cells}</tr>`;
    })
    .join("");
  const groups = columns
    .filter((c) => c.nodes !== undefined && c.nodes.length > 1)
    .map((c) => `<p class="hint">node ${esc(c.header)} = ${esc((c.nodes ?? []).join(", "))} (same verdicts on every row)</p>`)
    .join("");
  return `<table class="matrix"><caption>Cells read outside/from pods; the API proxy column shows the proxy alone.</caption><thead>${head}</thead><tbody>${rows}</tbody></table>${groups}`;
}

function verdictCounts(results: readonly ProbeResult[]): string {
  return VERDICTS.map((v) => [v, results.filter((r) => verdictOf(r) === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `<span class="v-${v}" title="${esc(MEANINGS[v])}">${esc(GLYPHS[v])} ${n}</span>`)
    .join(" ");
}

function rulesList(service: ServiceView): string {
  const byRule = new Map<string, ProbeResult[]>();
  for (const r of [...service.paths, ...service.checks]) pushTo(byRule, r.rule.id, r);
  const items = [...byRule.values()].map((results) => {
    const first = results[0] as ProbeResult;
    const notPassed = results.filter((r) => r.status !== "pass");
    const list = notPassed.length === 0 ? "" : `<ul>${notPassed.map((r) => `<li class="v-${verdictOf(r)}"><code>${esc(r.id)}</code>: expected ${esc(r.expect)}; ${esc(r.reason)}</li>`).join("")}</ul>`;
    return `<li><span class="counts">${verdictCounts(results)}</span> <b>${esc(first.rule.id)}</b> — ${esc(first.rule.sentence)}${list}</li>`;
  });
  return `<ul class="rules">${items.join("")}</ul>`;
}

function sharesBlock(service: ServiceView): string {
  const blocks = service.shares.map((s) => {
    const kind = s.probe.rule.id === "session-affinity" ? "Session affinity (ClientIP)" : "Spread";
    const from = s.probe.from !== undefined ? ` from the probe agent on ${esc(s.probe.from)}` : "";
    const rows = s.byPod
      .map((p) => {
        const pct = s.total > 0 ? Math.round((100 * p.count) / s.total) : 0;
        return `<tr><td>${esc(p.pod)}</td><td>${esc(p.node ?? "")}</td><td class="num">${p.count}</td><td><span class="bar" style="width:${pct}%"></span> ${pct}%</td></tr>`;
      })
      .join("");
    return `<h4>${kind}: <span class="v-${verdictOf(s.probe)}">${esc(GLYPHS[verdictOf(s.probe)])}</span> ${s.total} requests${from}</h4><p>${esc(s.probe.reason)}</p><table class="shares"><tr><th>pod</th><th>node</th><th>answers</th><th>share</th></tr>${rows}</table>`;
  });
  if (blocks.length > 0) return blocks.join("");
  if (service.answerers.length === 0) return "";
  const total = service.answerers.reduce((sum, a) => sum + a.answers, 0);
  const rows = service.answerers.map((a) => `<tr><td>${esc(a.pod)}</td><td>${esc(a.node ?? "")}</td><td class="num">${a.answers}</td><td>${Math.round((100 * a.answers) / Math.max(1, total))}%</td></tr>`).join("");
  return `<h4>Answers per pod over every path</h4><table class="shares"><tr><th>pod</th><th>node</th><th>answers</th><th>share</th></tr>${rows}</table>`;
}

/** One hidden section per Service; the page's script shows the selected one. */
export function serviceDetails(service: ServiceView, explain = ""): string {
  const svc = service.state?.service;
  const facts = svc === undefined
    ? ""
    : `<dl><dt>type</dt><dd>${esc(service.type)}</dd><dt>ClusterIP</dt><dd>${esc(svc.clusterIP ?? "none")}</dd>${
        svc.loadBalancerIngress.length > 0 ? `<dt>LB address</dt><dd>${esc(svc.loadBalancerIngress.join(", "))}</dd>` : ""
      }${svc.externalName !== undefined ? `<dt>externalName</dt><dd>${esc(svc.externalName)}</dd>` : ""}<dt>selector</dt><dd>${esc(
        svc.selector !== undefined ? Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(", ") : "none",
      )}</dd><dt>sessionAffinity</dt><dd>${esc(svc.sessionAffinity)}</dd><dt>traffic policy</dt><dd>external ${esc(svc.externalTrafficPolicy)}, internal ${esc(svc.internalTrafficPolicy)}</dd><dt>endpoints</dt><dd>${esc(
        service.state?.endpoints.map((e) => e.podName ?? e.address).join(", ") || "none ready",
      )}</dd></dl>`;
  const chain = service.portChains.length > 0 ? `<h4>Port chain</h4><ul>${service.portChains.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>` : "";
  return `<section class="details" data-service="${esc(service.name)}" hidden><h3>${esc(service.name)}</h3>${facts}${chain}${sharesBlock(service)}<h4>Rules</h4>${rulesList(service)}${explain}</section>`;
}

/** Every failure and error, grouped when they share rule and reason. */
export function problemsList(picture: Picture): string {
  if (picture.problems.length === 0) return `<p class="v-reached">No probe failed and none was left unrun.</p>`;
  const items = picture.problems.map((g) => {
    const first = g.results[0] as ProbeResult;
    const verdict = verdictOf(first);
    const more = g.results.length > 1 ? ` and ${g.results.length - 1} more like it` : "";
    return `<li class="v-${verdict}" data-service="${esc(first.service)}"><b>${esc(GLYPHS[verdict])} <code>${esc(first.id)}</code>${more}</b> [${esc(first.rule.id)}]<br>${esc(first.rule.sentence)}<br><i>expected ${esc(first.expect)}; ${esc(first.reason)}</i></li>`;
  });
  return `<ul class="problems">${items.join("")}</ul>`;
}
