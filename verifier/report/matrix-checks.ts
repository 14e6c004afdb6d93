/**
 * The checks that are not paths, one short line per rule under the matrix:
 * endpoints = ready selected pods, node port range, port chain, spread
 * (answers per pod), session affinity, the client address with
 * externalTrafficPolicy Local, a probe agent per node.
 */
import type { createColors } from "picocolors";
import type { ProbeResult } from "../types";
import { pushTo } from "./group";
import { sideText } from "./cells";
import type { Picture, ServiceView } from "./picture";

type Colors = ReturnType<typeof createColors>;

/** Short labels for the non-path rules; any other rule is shown by its id. */
const LABELS: Readonly<Record<string, string>> = {
  "endpoints-match-selector": "endpoints = ready selected pods",
  "nodeport-in-range": "nodePort in 30000-32767",
  "lb-node-port-allocated": "LB allocates node ports",
  "clusterip-no-node-port": "ClusterIP opens no node port",
  "port-chain": "port chain",
  spread: "spread over pods",
  "session-affinity": "session affinity",
  "etp-local-preserves-client": "client address kept (eTP Local)",
  "probe-agent-per-node": "probe agent on every node",
};

/** What a line says about one Service besides its name. */
function detail(rule: string, service: ServiceView, result: ProbeResult): string {
  switch (rule) {
    case "spread":
    case "session-affinity": {
      const shares = service.shares.find((s) => s.probe.id === result.id);
      if (shares === undefined || shares.total === 0) return "";
      return ` ${shares.byPod.map((p) => p.count).join("/")} of ${shares.total}`;
    }
    case "nodeport-in-range": {
      const ports = (service.state?.service.ports ?? []).flatMap((p) => (p.nodePort !== undefined ? [`:${p.nodePort}`] : []));
      return ports.length > 0 ? ` ${ports.join(",")}` : "";
    }
    default:
      return "";
  }
}

/** Port-chain entries grouped by their `port→targetPort`: `80→3000 backend, frontend-lb`. */
function byChain(entries: readonly { result: ProbeResult; service: ServiceView | undefined }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const { result, service } of entries) {
    const chain = service?.ports.replace(/ :\d+/g, "") ?? "";
    pushTo(groups, chain, service?.name ?? result.service);
  }
  return [...groups.entries()].flatMap(([chain, names]) => names.map((name, i) => (i === 0 && chain !== "" ? `${chain} ${name}` : name)));
}

/** Fits `items` after `head` within `width`, ending with `… +N` when some do not fit. */
function fit(head: string, items: readonly string[], width: number): string {
  let line = head;
  for (let i = 0; i < items.length; i++) {
    const sep = i === 0 ? "" : ", ";
    const rest = items.length - i - 1;
    const tail = rest > 0 ? ` … +${rest}` : "";
    if ((line + sep + (items[i] as string) + tail).length > width && i > 0) return `${line} … +${items.length - i}`;
    line += sep + (items[i] as string);
  }
  return line;
}

function colourGlyphs(text: string, c: Colors): string {
  return text.replace(/^(\S+)/, (g) =>
    g.replace(/skip/g, c.gray("skip")).replace(/✓/g, c.green("✓")).replace(/✗/g, c.red("✗")).replace(/!/g, c.yellow("!")).replace(/–/g, c.cyan("–")),
  );
}

/** One line per non-path rule, in the order the rules first appear. */
export function checkLines(picture: Picture, width: number, c: Colors): string[] {
  const byRule = new Map<string, { result: ProbeResult; service: ServiceView | undefined }[]>();
  const add = (result: ProbeResult, service: ServiceView | undefined): void => pushTo(byRule, result.rule.id, { result, service });
  for (const service of picture.services) for (const result of service.checks) add(result, service);
  for (const result of picture.nodeChecks) add(result, undefined);
  const lines: string[] = [];
  for (const [rule, entries] of byRule) {
    const glyphs = sideText(entries.map((e) => e.result));
    const label = LABELS[rule] ?? rule;
    const items =
      rule === "probe-agent-per-node"
        ? [`${entries.filter((e) => e.result.status === "pass").length} of ${entries.length} nodes`]
        : rule === "port-chain"
          ? byChain(entries)
          : entries.map((e) => `${e.service?.name ?? e.result.service}${e.service !== undefined ? detail(rule, e.service, e.result) : ""}`);
    lines.push(colourGlyphs(fit(`${glyphs} ${label}: `, items, width), c));
  }
  return lines;
}
