/**
 * The HTML page, from reports recorded against the loopback stand-in: the
 * picture holds every node, pod and Service, one arrow per probed path with
 * its verdict, nothing that fetches, and every cluster string escaped.
 * (test/verifier/report/browser.test.ts opens it in a real browser.)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { VerifyReport } from "../../../verifier";
import { writeHtmlReport } from "../../../verifier/report/html-file";
import { renderHtml } from "../../../verifier/report/html";
import { isPath, pictureOf } from "../../../verifier/report/picture";
import { verdictOf } from "../../../verifier/report/verdict";
import { recorded } from "./recorded";
import { renameService } from "./rename";

const count = (html: string, re: RegExp): number => (html.match(new RegExp(re.source, "g")) ?? []).length;
const attrs = (html: string, element: RegExp, attr: string): string[] =>
  [...html.matchAll(new RegExp(`${element.source}[^>]*?${attr}="([^"]*)"`, "g"))].map((m) => m[1] as string);

describe.each(["default-pass", "failures", "five-nodes"] as const)("HTML page of %s", (name) => {
  const report = recorded(name);
  const html = renderHtml(report);
  const paths = report.probes.filter(isPath);

  test("draws every node (control plane marked), every Service and every pod that answered", () => {
    expect(attrs(html, /<g class="node[^"]*"/, "data-node")).toEqual(report.cluster.nodes.map((n) => n.name));
    expect(count(html, /<g class="node control-plane"/)).toBe(report.cluster.nodes.filter((n) => n.role === "control-plane").length);
    expect(attrs(html, /<g class="svc"/, "data-service")).toEqual(pictureOf(report).services.map((s) => s.name));
    const pods = new Set((report.cluster.services ?? []).flatMap((s) => s.pods.map((p) => p.name)));
    expect(new Set(attrs(html, /<g class="pod[^"]*"/, "data-pod"))).toEqual(pods);
  });

  test("has one arrow per probed path, each carrying its verdict and Service", () => {
    expect(attrs(html, /<path class="path"/, "data-probe")).toEqual(paths.map((p) => p.id));
    const verdicts = attrs(html, /<path class="path"/, "data-verdict");
    expect(verdicts).toEqual(paths.map(verdictOf));
    expect(verdicts.filter((v) => v === "failed")).toHaveLength(paths.filter((p) => p.status === "fail").length);
  });

  test("is one file that fetches nothing", () => {
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/<link|@import|url\((?!#)/i);
    expect(html).toContain(`content="default-src 'none';`);
    expect(count(html, /<script/)).toBe(1);
  });

  test("has a details section per Service and the summary and legend", () => {
    expect(count(html, /<section class="details"/)).toBe(pictureOf(report).services.length);
    expect(html).toContain(`${report.summary.pass} passed, ${report.summary.fail} failed, ${report.summary.error} errors, ${report.summary.skipped} skipped`);
    expect(html).toMatch(/<div class="legend" id="legend">.*reached a pod of the Service.*not reachable, as the rule says.*failed.*could not run.*skipped/);
  });
});

describe("HTML page escaping", () => {
  test("a Service and a pod named with markup show as text; no element or attribute comes from them", () => {
    let report: VerifyReport = renameService(recorded("failures"), "backend", "<script>window.__pwned=1</script>");
    const pod = report.cluster.services?.[0]?.pods[0]?.name as string;
    report = JSON.parse(JSON.stringify(report).split(pod).join(JSON.stringify(`"><img src=x onerror=alert(1)>`).slice(1, -1))) as VerifyReport;
    const html = renderHtml(report);
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(count(html, /<script/)).toBe(1);
    expect(html).not.toMatch(/<img/);
  });
});

describe("HTML page of a report saved before the cluster picture was recorded", () => {
  test("still draws the nodes, the Services probed and their arrows", () => {
    const report = recorded("default-pass");
    const old = { ...report, cluster: { context: report.cluster.context, server: report.cluster.server, namespace: report.cluster.namespace, nodes: report.cluster.nodes } };
    const html = renderHtml(old);
    expect(count(html, /<g class="svc"/)).toBe(8);
    expect(count(html, /<path class="path"/)).toBe(report.probes.filter(isPath).length);
  });
});

describe("writeHtmlReport", () => {
  test("writes the page into a folder it creates and returns its absolute path", () => {
    const dir = mkdtempSync(`${tmpdir()}/svclab-html-`);
    try {
      const written = writeHtmlReport(recorded("default-pass"), `${dir}/reports/lab-dev.html`);
      expect(written).toBe(`${dir}/reports/lab-dev.html`);
      expect(readFileSync(written, "utf8")).toBe(renderHtml(recorded("default-pass")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
