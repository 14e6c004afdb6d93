/**
 * The SVG picture of the HTML report, on a fixed grid: the outside machine
 * and the API server on the left, the Services in the middle, the nodes with
 * their pods and probe agent on the right. Each probed path is one arrow
 * from its vantage to the Service (landing at the height of its address
 * kind); each pod that answered gets an arrow from the Service. Every arrow
 * carries its verdict (`data-verdict`) and its Service (`data-service`).
 */
import type { ProbeResult } from "../types";
import { esc } from "./escape";
import { pathHref } from "./explanations";
import { COLUMN_KINDS, columnOf, type NodeView, type Picture, type ServiceView } from "./picture";
import { GLYPHS, MEANINGS, VERDICTS, verdictOf } from "./verdict";

/** The grid, in SVG user units. */
const GRID = {
  width: 1240,
  margin: 16,
  left: { x: 16, w: 190, h: 74, gap: 40 },
  service: { x: 370, w: 330, h: 78, gap: 14 },
  node: { x: 850, w: 374, header: 44, row: 22, gap: 16 },
} as const;

interface Point {
  readonly x: number;
  readonly y: number;
}

interface Layout {
  readonly outside: Point;
  readonly api: Point;
  readonly services: Map<string, { y: number }>;
  readonly nodes: Map<string, { y: number; h: number; pods: Map<string, number>; agentY: number | undefined }>;
  /** Each pod's row, whatever its node: an answer arrow finds its pod in one look-up. */
  readonly podY: Map<string, number>;
  readonly height: number;
}

function layout(picture: Picture): Layout {
  const { margin, left, service, node } = GRID;
  const top = margin + 22;
  const services = new Map<string, { y: number }>();
  picture.services.forEach((s, i) => services.set(s.name, { y: top + i * (service.h + service.gap) }));
  const nodes: Layout["nodes"] = new Map();
  const podY = new Map<string, number>();
  let y = top;
  for (const view of picture.nodes) {
    const pods = new Map<string, number>();
    view.pods.forEach((pod, i) => pods.set(pod.name, y + node.header + i * node.row + node.row / 2));
    // The first node listing a pod draws it (a pod is on one node).
    for (const [name, at] of pods) if (!podY.has(name)) podY.set(name, at);
    const agentY = view.agent !== undefined ? y + node.header + view.pods.length * node.row + node.row / 2 : undefined;
    const rows = view.pods.length + (view.agent !== undefined ? 1 : 0);
    const h = node.header + Math.max(1, rows) * node.row + 8;
    nodes.set(view.node.name, { y, h, pods, agentY });
    y += h + node.gap;
  }
  const servicesBottom = top + picture.services.length * (service.h + service.gap);
  const leftBottom = top + 2 * left.h + left.gap;
  return {
    outside: { x: left.x + left.w, y: top + left.h / 2 },
    api: { x: left.x + left.w, y: top + left.h + left.gap + left.h / 2 },
    services,
    nodes,
    podY,
    height: Math.max(y, servicesBottom, leftBottom) + margin,
  };
}

/** A horizontal S-curve from `a` to `b`. */
function curve(a: Point, b: Point): string {
  const dx = Math.max(40, Math.abs(b.x - a.x) / 2) * (b.x >= a.x ? 1 : -1);
  return `M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}`;
}

/** Where a probe's arrow starts: the outside machine, the API server, or the probe agent on its node. */
function source(result: ProbeResult, l: Layout): Point {
  if (result.vantage === "api-proxy") return l.api;
  if (result.vantage === "pod" && result.from !== undefined) {
    const node = l.nodes.get(result.from);
    if (node !== undefined) return { x: GRID.node.x, y: node.agentY ?? node.y + GRID.node.header / 2 };
  }
  return l.outside;
}

/** Where it lands: the Service's left edge from the left column, its right edge from a node, at its address kind's height. */
function landing(result: ProbeResult, from: Point, serviceY: number): Point {
  const kind = COLUMN_KINDS.indexOf(columnOf(result).kind);
  const y = serviceY + 10 + (kind * (GRID.service.h - 20)) / (COLUMN_KINDS.length - 1);
  return { x: from.x < GRID.service.x ? GRID.service.x : GRID.service.x + GRID.service.w, y };
}

function pathArrow(result: ProbeResult, service: ServiceView, l: Layout, href: string | undefined): string {
  const at = l.services.get(service.name);
  if (at === undefined) return "";
  const from = source(result, l);
  const verdict = verdictOf(result);
  const title = `${result.id}: ${MEANINGS[verdict]} (${result.reason})`;
  const arrow = `<path class="path" d="${curve(from, landing(result, from, at.y))}" data-service="${esc(service.name)}" data-verdict="${verdict}" data-probe="${esc(result.id)}" data-column="${columnOf(result).kind}" marker-end="url(#m-${verdict})"><title>${esc(title)}</title></path>`;
  // With --explain the arrow opens the explanation of the rules it went through.
  return href === undefined ? arrow : `<a href="${esc(href)}">${arrow}</a>`;
}

function answerArrows(service: ServiceView, l: Layout): string {
  const at = l.services.get(service.name);
  if (at === undefined) return "";
  const total = service.answerers.reduce((sum, a) => sum + a.answers, 0);
  return service.answerers
    .map((a) => {
      const y = l.podY.get(a.pod);
      if (y === undefined) return "";
      const from = { x: GRID.service.x + GRID.service.w, y: at.y + GRID.service.h / 2 };
      const width = (1 + (4 * a.answers) / Math.max(1, total)).toFixed(1);
      const title = `${service.name} answered by ${a.pod}: ${a.answers} of ${total} answers`;
      return `<path class="answer" d="${curve(from, { x: GRID.node.x + 8, y })}" stroke-width="${width}" data-service="${esc(service.name)}" data-verdict="${a.verdict}" data-pod="${esc(a.pod)}" marker-end="url(#m-${a.verdict})"><title>${esc(title)}</title></path>`;
    })
    .join("");
}

function counts(results: readonly ProbeResult[]): string {
  return VERDICTS.map((v) => [v, results.filter((r) => verdictOf(r) === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `<tspan class="v-${v}">${esc(GLYPHS[v])}${n}</tspan>`)
    .join(" ");
}

function serviceBox(service: ServiceView, l: Layout): string {
  const at = l.services.get(service.name);
  if (at === undefined) return "";
  const { x, w, h } = GRID.service;
  const all = [...service.paths, ...service.checks];
  const line2 = [service.type, service.clusterIP !== undefined && service.clusterIP !== "None" ? service.clusterIP : undefined, service.ports]
    .filter((t) => t !== undefined && t !== "")
    .join(" · ");
  const kinds = COLUMN_KINDS.map((kind, i) => {
    const ky = at.y + 10 + (i * (h - 20)) / (COLUMN_KINDS.length - 1);
    return service.paths.some((p) => columnOf(p).kind === kind) ? `<circle class="slot" cx="${x}" cy="${ky}" r="2.5"/><circle class="slot" cx="${x + w}" cy="${ky}" r="2.5"/>` : "";
  }).join("");
  return `<g class="svc" data-service="${esc(service.name)}" data-select="${esc(service.name)}" tabindex="0" role="button" aria-label="Service ${esc(service.name)}">
<rect x="${x}" y="${at.y}" width="${w}" height="${h}" rx="8"/>${kinds}
<text x="${x + 12}" y="${at.y + 22}" class="svc-name">${esc(service.name)}</text>
<text x="${x + 12}" y="${at.y + 42}" class="svc-meta">${esc(line2)}</text>
<text x="${x + 12}" y="${at.y + 62}" class="svc-counts">${counts(all)}</text>
</g>`;
}

function nodeBox(view: NodeView, l: Layout): string {
  const at = l.nodes.get(view.node.name);
  if (at === undefined) return "";
  const { x, w, header, row } = GRID.node;
  const cp = view.node.role === "control-plane";
  const pods = view.pods
    .map((pod) => {
      const y = at.pods.get(pod.name) as number;
      return `<g class="pod${pod.ready ? "" : " not-ready"}" data-pod="${esc(pod.name)}"><circle cx="${x + 14}" cy="${y}" r="4" class="${pod.ready ? "ready" : "unready"}"><title>${pod.ready ? "ready" : "not ready"}</title></circle><text x="${x + 24}" y="${y + 4}"><tspan class="role">${esc(pod.role)}</tspan> ${esc(pod.name)} <tspan class="ip">${esc(pod.podIP ?? "")}</tspan></text></g>`;
    })
    .join("");
  const agent =
    view.agent !== undefined && at.agentY !== undefined
      ? `<g class="agent"><rect x="${x + 6}" y="${at.agentY - row / 2 + 2}" width="${w - 12}" height="${row - 4}" rx="4"/><text x="${x + 14}" y="${at.agentY + 4}"><tspan class="role">probe agent</tspan> ${esc(view.agent.pod)} <tspan class="ip">${esc(view.agent.podIP ?? "")}</tspan></text></g>`
      : "";
  return `<g class="node${cp ? " control-plane" : ""}" data-node="${esc(view.node.name)}">
<rect x="${x}" y="${at.y}" width="${w}" height="${at.h}" rx="10"/>
<text x="${x + 12}" y="${at.y + 18}" class="node-name">${esc(view.node.name)}</text>
<text x="${x + 12}" y="${at.y + 34}" class="node-meta">${cp ? "control plane" : "worker"} · ${esc(view.node.internalIP ?? "no InternalIP")}${view.node.ready ? "" : " · NOT READY"}</text>
${pods}${agent}</g>`;
}

/** Arrowheads per verdict, a fixed size whatever the stroke; an expected "no" ends in a bar (blocked), not a head. */
function markers(): string {
  return VERDICTS.map((v) => {
    const shape = v === "unreachable" ? `<rect x="6" y="0" width="3" height="10"/>` : `<path d="M0,0 L10,5 L0,10 z"/>`;
    return `<marker id="m-${v}" class="v-${v}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">${shape}</marker>`;
  }).join("");
}

function leftBoxes(l: Layout): string {
  const { x, w, h } = GRID.left;
  const box = (cls: string, p: Point, title: string, sub: string): string =>
    `<g class="${cls}"><rect x="${x}" y="${p.y - h / 2}" width="${w}" height="${h}" rx="10"/><text x="${x + 12}" y="${p.y - 6}" class="node-name">${title}</text><text x="${x + 12}" y="${p.y + 14}" class="node-meta">${sub}</text></g>`;
  return box("outside", l.outside, "outside", "this machine (the verifier)") + box("apiserver", l.api, "API server", "service proxy (kubectl proxy)");
}

/** The whole picture as one inline `<svg>`. */
export function renderPicture(picture: Picture): string {
  return [...pictureParts(picture)].join("");
}

/**
 * {@link renderPicture}'s text in parts, an arrow group per Service: the
 * picture holds an arrow per probe (3.4 M characters at 200 Services × 5
 * nodes), so a page written part by part never holds it as one string.
 */
export function* pictureParts(picture: Picture): Generator<string> {
  const l = layout(picture);
  const headers = `<text x="${GRID.left.x}" y="${GRID.margin + 6}" class="col-head">from outside / API</text><text x="${GRID.service.x}" y="${GRID.margin + 6}" class="col-head">Services</text><text x="${GRID.node.x}" y="${GRID.margin + 6}" class="col-head">nodes, their pods and probe agent</text>`;
  yield `<svg id="picture" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${GRID.width} ${l.height}" role="img" aria-label="Cluster picture: nodes, pods, Services and every probed path">
<defs>${markers()}</defs>${headers}
${leftBoxes(l)}
${picture.nodes.map((n) => nodeBox(n, l)).join("\n")}
<g class="paths">`;
  for (const s of picture.services) yield s.paths.map((p) => pathArrow(p, s, l, pathHref(picture.report, p))).join("");
  yield `</g><g class="answers">`;
  for (const s of picture.services) yield answerArrows(s, l);
  yield `</g>
${picture.services.map((s) => serviceBox(s, l)).join("\n")}
</svg>`;
}
