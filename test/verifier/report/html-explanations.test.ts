/**
 * The HTML page of a run with `--explain`: the explanations recorded in the
 * report (built here from the real v1.24 capture's rules, as a run reads
 * them) are embedded per Service and node, every path arrow and matrix cell
 * links to the one whose rules it went through, a node whose rules were not
 * read says why and names the command, and `svclab report` re-renders all of
 * it from the saved JSON. Without `--explain` the page has none of it.
 */
import type { VerifyReport } from "../../../verifier";
import { explainCluster } from "../../../verifier/explain/during-run";
import type { ReportExplanations } from "../../../verifier/explain/report-model";
import { esc } from "../../../verifier/report/escape";
import { renderHtml } from "../../../verifier/report/html";
import { renderJson } from "../../../verifier/report/json";
import { parseReport, ReportFileError } from "../../../verifier/report/load";
import { isPath } from "../../../verifier/report/picture";
import { CAPTURE_DIR } from "../explain/capture";
import { CAPTURED_DATA_PLANE, captureCluster, captureDocker } from "../explain/capture-cluster";
import { recorded } from "./recorded";

/** The node a path's rules are read on, from its id alone: the node port's node, else the sending probe agent's node. */
function expectedNode(id: string): string | undefined {
  const [, target = "", vantage = ""] = id.split("/");
  const nodePort = /^node-port:([^:]+):/.exec(target);
  if (nodePort !== null) return nodePort[1];
  const pod = /^pod:(.+)$/.exec(vantage);
  return pod !== null ? pod[1] : undefined;
}

/** Every `href="#…"` on the page, decoded as the browser does before it looks the id up. */
function fragmentLinks(html: string): string[] {
  return [...html.matchAll(/href="#([^"]*)"/g)].map((m) => decodeURIComponent((m[1] as string).replace(/&amp;/g, "&")));
}

function ids(html: string): Set<string> {
  return new Set([...html.matchAll(/ id="([^"]*)"/g)].map((m) => (m[1] as string).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&")));
}

describe("HTML page with the run's explanations (--explain)", () => {
  const plain = recorded("default-pass");
  let explanations: ReportExplanations;
  let report: VerifyReport;
  let html: string;
  beforeAll(async () => {
    explanations = await explainCluster(await captureCluster(), CAPTURED_DATA_PLANE, captureDocker().run);
    report = { ...plain, explanations };
    html = renderHtml(report);
  });

  test("without --explain the page has no explanations section and no links to one", () => {
    const page = renderHtml(plain);
    expect(page).not.toContain('id="explanations"');
    expect(page).not.toContain('href="#explain/');
    expect(page).toContain(`<code>svclab explain frontend-sticky --namespace svclab --node svclab-worker</code>`);
  });

  test("embeds every Service's explanation on every node under its anchor, escaped", () => {
    const services = [...new Set(plain.probes.filter(isPath).map((p) => p.service))];
    expect(services.length).toBeGreaterThan(5);
    for (const service of services) {
      expect(html).toContain(`<section class="explanation" id="explain/${service}">`);
      for (const node of plain.cluster.nodes.map((n) => n.name)) {
        const text = explanations.services.find((s) => s.service === service && s.node === node)?.text;
        expect(text).toBeDefined();
        expect(html).toContain(`<details class="explain-node" id="explain/${service}/${node}" data-explained="yes">`);
        expect(html).toContain(`<pre>${esc(text)}</pre>`);
      }
    }
    expect(html).toContain("<li>svclab-worker: <code>docker exec svclab-worker iptables-save</code>, kube-proxy iptables mode</li>");
  });

  test("every path arrow links to the explanation on the node whose rules it went through, else to its Service's", () => {
    const paths = plain.probes.filter(isPath);
    const links = [...html.matchAll(/<a href="([^"]*)"><path class="path"[^>]*data-probe="([^"]*)"/g)].map((m) => [m[2], m[1]]);
    expect(links).toEqual(
      paths.map((p) => {
        const node = expectedNode(p.id);
        return [p.id, node === undefined ? `#explain/${p.service}` : `#explain/${p.service}/${node}`];
      }),
    );
    // The three kinds all occur: a node port's node, a pod's node, and the Service (outside, API proxy).
    expect(links.some(([id, href]) => /node-port:svclab-worker2:/.test(id as string) && href === "#explain/frontend-nodeport/svclab-worker2")).toBe(true);
    expect(links.some(([id, href]) => /cluster-ip:.*\/pod:svclab-worker$/.test(id as string) && (href as string).endsWith("/svclab-worker"))).toBe(true);
    expect(links.some(([id, href]) => /\/api-proxy$/.test(id as string) && (href as string).split("/").length === 2)).toBe(true);
  });

  test("matrix cells link to their node's explanation in a node-port column, else to the Service's", () => {
    const row = /<tr data-service="frontend-nodeport"[^>]*>(.*?)<\/tr>/.exec(html)?.[1] ?? "";
    const cellLinks = [...row.matchAll(/<td><a href="([^"]*)">/g)].map((m) => m[1]);
    expect(cellLinks).toEqual(expect.arrayContaining(["#explain/frontend-nodeport", "#explain/frontend-nodeport/svclab-control-plane", "#explain/frontend-nodeport/svclab-worker", "#explain/frontend-nodeport/svclab-worker2"]));
  });

  test("every link on the page leads to an element of the page", () => {
    const targets = ids(html);
    const links = fragmentLinks(html);
    expect(links.length).toBeGreaterThan(100);
    expect(links.filter((l) => !targets.has(l))).toEqual([]);
  });

  test("a node whose rules were not read says why and names the command, on the page and in the Service's details", async () => {
    const partial = await explainCluster(await captureCluster(CAPTURE_DIR), CAPTURED_DATA_PLANE, captureDocker(CAPTURE_DIR, ["svclab-worker2"]).run);
    const page = renderHtml({ ...plain, explanations: partial });
    expect(page).toMatch(/<li>svclab-worker2: <span class="v-error">rules not read<\/span>: cannot read the rules of node svclab-worker2: `docker exec svclab-worker2 iptables-save`: Error response from daemon: No such container: svclab-worker2/);
    const block = /<details class="explain-node" id="explain\/frontend-lb\/svclab-worker2"[^>]*>(.*?)<\/details>/.exec(page)?.[1] ?? "";
    expect(block).toContain("rules not read: cannot read the rules of node svclab-worker2");
    expect(block).toContain("<code>svclab explain frontend-lb --namespace svclab --node svclab-worker2</code>");
    expect(page).toContain('<li>on svclab-worker2: <a href="#explain/frontend-lb/svclab-worker2">rules not read</a>; <code>svclab explain frontend-lb --namespace svclab --node svclab-worker2</code></li>');
    expect(page).toContain('<li><a href="#explain/frontend-lb/svclab-worker">on svclab-worker</a></li>');
  });

  test("svclab report re-renders a saved run's explanations: the page from the JSON is the page of the run", () => {
    const saved = parseReport("saved.json", JSON.parse(renderJson(report)));
    expect(saved.explanations).toEqual(explanations);
    expect(renderHtml(saved)).toBe(html);
  });

  test("a saved report whose explanations are malformed is refused, naming the field", () => {
    const data = JSON.parse(renderJson(report));
    expect(() => parseReport("bad.json", { ...data, explanations: { nodes: "x", services: [] } })).toThrow(ReportFileError);
    expect(() => parseReport("bad.json", { ...data, explanations: { nodes: [], services: [{ service: "a", node: "b", text: 3 }] } })).toThrow(
      "explanations.services[0] lacks a Service or node name or has a field that is not text",
    );
  });
});
