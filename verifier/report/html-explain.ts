/**
 * The HTML report's "why": for each Service, the kube-proxy rules behind its
 * paths. When the run read the rules (`svclab verify --explain`) the page
 * embeds each Service's explanation per node, and paths, matrix cells and
 * details link to it; where the rules could not be read it says why and names
 * the `svclab explain` command, as the page does for runs without `--explain`
 * (it fetches nothing, so it cannot run the command itself).
 */
import { explainCommandLine } from "../explain";
import type { VerifyReport } from "../index";
import { esc } from "./escape";
import { anchorHref, explanationAnchor, explanationOf, type NodeExplanation } from "./explanations";

function command(service: string, namespace: string, node: string | undefined): string {
  return `<code>${esc(explainCommandLine({ namespace, service, ...(node !== undefined ? { node } : {}) }))}</code>`;
}

/** One line per node in a Service's details: a link to its explanation, or why there is none and the command. */
function detailsLine(report: VerifyReport, service: string, node: string): string {
  const found = explanationOf(report, service, node) as NodeExplanation;
  const namespace = report.cluster.namespace;
  if (found.kind === "text") return `<li><a href="${esc(anchorHref(service, node))}">on ${esc(node)}</a></li>`;
  const label = found.kind === "not-read" ? "rules not read" : "not explained";
  return `<li>on ${esc(node)}: <a href="${esc(anchorHref(service, node))}">${label}</a>; ${command(service, namespace, node)}</li>`;
}

/** The end of a Service's details: links to its explanations (with `--explain`), else the command per node (or one without `--node` when the nodes are unknown). */
export function explainBlock(service: string, report: VerifyReport): string {
  const namespace = report.cluster.namespace;
  const nodes = report.cluster.nodes.map((n) => n.name);
  if (report.explanations !== undefined && nodes.length > 0) {
    return `<h4>Why: the rules behind these paths</h4><p class="hint">Read during the run on each node, explained rule by rule:</p><ul class="explain">${nodes
      .map((node) => detailsLine(report, service, node))
      .join("")}</ul>`;
  }
  const commands = (nodes.length > 0 ? nodes : [undefined]).map((node) => `<li>${command(service, namespace, node)}</li>`);
  return `<h4>Why: the rules behind these paths</h4><p class="hint">Rule by rule on a node (entry points, endpoint shares, affinity, masquerade, traffic policy):</p><ul class="explain">${commands.join("")}</ul>`;
}

/** One node's explanation of a Service: collapsed; a link to its anchor opens it. */
function nodeBlock(report: VerifyReport, service: string, node: string): string {
  const found = explanationOf(report, service, node) as NodeExplanation;
  const id = esc(explanationAnchor(service, node));
  if (found.kind === "text") {
    const first = found.text.split("\n")[0] ?? "";
    return `<details class="explain-node" id="${id}" data-explained="yes"><summary>on <b>${esc(node)}</b>: ${esc(first)}</summary><pre>${esc(found.text)}</pre></details>`;
  }
  const label = found.kind === "not-read" ? "rules not read" : "not explained";
  return `<details class="explain-node" id="${id}" data-explained="no" open><summary>on <b>${esc(node)}</b>: <span class="v-error">${label}</span></summary><p>${label}: ${esc(found.why)}</p><p>Run it where the node can be read: ${command(service, report.cluster.namespace, node)}</p></details>`;
}

/** How each node's rules were read, or why not. */
function rulesSources(report: VerifyReport): string {
  const items = (report.explanations?.nodes ?? []).map((n) => {
    const family = (report.explanations?.nodes ?? []).some((o) => o.node === n.node && o.family !== n.family) ? ` (${esc(n.family)})` : "";
    return n.notRead !== undefined
      ? `<li>${esc(n.node)}${family}: <span class="v-error">rules not read</span>: ${esc(n.notRead)}</li>`
      : `<li>${esc(n.node)}${family}: <code>${esc(n.origin)}</code>, kube-proxy ${esc(n.mode)} mode</li>`;
  });
  return `<ul class="explain-sources">${items.join("")}</ul>`;
}

/** The page's explanations section: every Service on every node; empty for a run without `--explain`. */
export function explanationsSection(report: VerifyReport, services: readonly string[]): string {
  if (report.explanations === undefined) return "";
  const nodes = report.cluster.nodes.map((n) => n.name);
  const sections = services.map(
    (service) =>
      `<section class="explanation" id="${esc(explanationAnchor(service))}"><h3>${esc(service)}</h3>${nodes.map((node) => nodeBlock(report, service, node)).join("")}</section>`,
  );
  return `<h2 id="explanations">Why: the rules behind each path</h2><p class="hint">Each node's kube-proxy rules as this run read them (<code>svclab verify --explain</code>), explained per Service as <code>svclab explain</code> prints them: each step names its rule as [table chain #n]. Select a path or a matrix cell to open its explanation.</p>${rulesSources(report)}${sections.join("\n")}`;
}
