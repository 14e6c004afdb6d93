/**
 * `npm run lab` writes the run's HTML page beside the matrix and names it on
 * stderr, whatever format goes to stdout (issue 10: the lab writes the page
 * too and prints its path). The verifier is replaced by a recorded report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { verifyWith } from "../../runner/cli";
import { recorded } from "../verifier/report/recorded";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "svclab-lab-html-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function stderrSink() {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => lines.push(chunk) > 0 } };
}

test("the lab writes the HTML page into a new reports folder, names it on stderr and keeps stdout for the JSON report", async () => {
  const report = recorded("default-pass");
  const htmlFile = path.join(dir, "reports", "lab-dev.html");
  const sink = stderrSink();
  const asked: { kubeconfig?: string; namespace?: string }[] = [];
  const labVerify = verifyWith("json", false, htmlFile, async (options) => {
    asked.push({ kubeconfig: options.kubeconfig, namespace: options.namespace });
    return report;
  }, sink.stream);

  const result = await labVerify("/tmp/kubeconfig-of-the-lab", "svclab");

  expect(asked).toEqual([{ kubeconfig: "/tmp/kubeconfig-of-the-lab", namespace: "svclab" }]);
  expect(sink.lines).toEqual([`HTML report: ${htmlFile}\n`]);
  const page = fs.readFileSync(htmlFile, "utf8");
  expect(page.startsWith("<!DOCTYPE html>") || page.startsWith("<!doctype html>")).toBe(true);
  const names = (report.cluster.services ?? []).map((state) => state.service.name);
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(page).toContain(`>${name}<`);
  expect(JSON.parse(result.rendered).probes).toHaveLength(report.probes.length);
  expect(result.exitCode).toBe(report.exitCode);
});

test("the lab's table output is the matrix, and the page is written for a failing run too", async () => {
  const report = recorded("failures");
  const htmlFile = path.join(dir, "lab-ci.html");
  const sink = stderrSink();
  const result = await verifyWith("table", false, htmlFile, async () => report, sink.stream)("/tmp/k", "svclab");

  expect(fs.existsSync(htmlFile)).toBe(true);
  expect(result.exitCode).toBe(report.exitCode);
  expect(result.exitCode).not.toBe(0);
  expect(result.rendered.split("\n").some((line) => line.startsWith("Service "))).toBe(true);
});

test("on a kind lab the run is asked to read the rules (verify --explain) and the page embeds each path's explanation; otherwise it is not asked", async () => {
  const htmlFile = path.join(dir, "lab-dev.html");
  const text = "svclab/frontend-sticky (type ClusterIP, sessionAffinity ClientIP) on node svclab-worker, kube-proxy iptables mode";
  const report = {
    ...recorded("default-pass"),
    explanations: {
      nodes: [{ node: "svclab-worker", family: "IPv4" as const, origin: "docker exec svclab-worker iptables-save", mode: "iptables" as const }],
      services: [{ service: "frontend-sticky", node: "svclab-worker", text }],
    },
  };
  const asked: (boolean | undefined)[] = [];
  const run = async (options: { explain?: boolean }) => {
    asked.push(options.explain);
    return report;
  };
  await verifyWith("table", false, htmlFile, run, stderrSink().stream, true)("/tmp/k", "svclab");
  const page = fs.readFileSync(htmlFile, "utf8");
  expect(page).toContain(`<details class="explain-node" id="explain/frontend-sticky/svclab-worker" data-explained="yes"><summary>on <b>svclab-worker</b>: ${text}</summary>`);
  await verifyWith("table", false, htmlFile, run, stderrSink().stream)("/tmp/k", "svclab");
  expect(asked).toEqual([true, false]);
});
