/**
 * The terminal matrix, from reports recorded against the loopback stand-in:
 * one row per Service, a column per kind of address, cells `outside/pods`.
 */
import { renderMatrix } from "../../../verifier/report/matrix";
import { nodeShortNames } from "../../../verifier/report/matrix-columns";
import { parseMatrix, recorded } from "./recorded";

const SERVICES = ["backend", "backend-external", "backend-headless", "frontend-internal-local", "frontend-lb", "frontend-local", "frontend-nodeport", "frontend-sticky"];
const width = (text: string): number => Math.max(...text.trimEnd().split("\n").map((l) => l.length));

describe("matrix of the default lab, every rule holding", () => {
  const text = renderMatrix(recorded("default-pass"));
  const { header, rows } = parseMatrix(text);
  const row = (name: string) => rows.find((r) => r.Service === name) ?? {};

  test("fits 30 lines and 120 columns, without colour", () => {
    expect(text.trimEnd().split("\n").length).toBeLessThanOrEqual(30);
    expect(width(text)).toBeLessThanOrEqual(120);
    expect(text).not.toContain("\x1b[");
  });

  test("has one row per Service and a column per address kind, the node port once per node", () => {
    expect(rows.map((r) => r.Service)).toEqual(SERVICES);
    expect(header).toEqual(["Service", "type", "ports", "pod IP", "ClusterIP", "DNS", "cp", "worker", "worker2", "LB", "API proxy"]);
    expect(text).toContain("cp = svclab-control-plane (control plane, ");
  });

  test("cells read outside/from pods with the verdict glyphs", () => {
    expect(row("frontend-nodeport")).toEqual({
      Service: "frontend-nodeport", type: "NodePort", ports: "80→3000 :30080",
      "pod IP": "–/✓", ClusterIP: "–/✓", DNS: "·/✓", cp: "✓/✓", worker: "✓/✓", worker2: "✓/✓", LB: "", "API proxy": "✓",
    });
    // externalTrafficPolicy Local: the control plane has no frontend pod, so its node port must not answer.
    expect(row("frontend-local")).toMatchObject({ cp: "–/·", worker: "✓/·", worker2: "✓/·" });
    expect(row("frontend-lb")).toMatchObject({ type: "LoadBalancer", LB: "✓/✓" });
    expect(row("backend-headless")).toMatchObject({ type: "headless", ClusterIP: "", cp: "" });
    expect(row("backend-external")).toMatchObject({ type: "ExternalName", DNS: "·/✓", "API proxy": "–" });
  });

  test("the checks that are not paths get one short line each, and nothing is listed as failed", () => {
    const checks = text.split("\n").filter((l) => /^✓ [a-zA-Z].*: /.test(l));
    expect(checks.map((l) => l.slice(2, l.indexOf(":")))).toEqual([
      "endpoints = ready selected pods", "ClusterIP opens no node port", "port chain", "spread over pods",
      "LB allocates node ports", "nodePort in 30000-32767", "client address kept (eTP Local)", "session affinity", "probe agent on every node",
    ]);
    expect(text).toMatch(/^✓ spread over pods: backend \d+\/\d+ of 30, /m);
    expect(text).toMatch(/^✓ session affinity: frontend-sticky 30 of 30$/m);
    expect(text).not.toContain("Failed or could not run");
    expect(text).toMatch(/^178 passed, 0 failed, 0 errors, 0 skipped/m);
  });

  test("colours the glyphs on a terminal", () => {
    expect(renderMatrix(recorded("default-pass"), { color: true })).toContain("\x1b[32m✓\x1b[39m");
  });
});

describe("matrix of a lab with failures and a node without probe agent", () => {
  const report = recorded("failures");
  const text = renderMatrix(report);
  const { rows } = parseMatrix(text);

  test("counts each vantage's verdicts in the cell, worst first", () => {
    expect(rows.find((r) => r.Service === "backend")).toMatchObject({ "pod IP": "–/!2✓4", ClusterIP: "✗/!1✓2", DNS: "·/✗" });
    expect(rows.find((r) => r.Service === "frontend-lb")).toMatchObject({ LB: "✗/✓" });
    expect(width(parseMatrix(text).rows.map((r) => Object.values(r).join("  ")).join("\n"))).toBeLessThanOrEqual(120);
  });

  test("lists every failure and error with its rule sentence and reason, grouping those alike", () => {
    const section = text.slice(text.indexOf("Failed or could not run:"), text.indexOf("note: "));
    const heads = section.split("\n").filter((l) => /^[✗!] /.test(l));
    expect(heads.filter((l) => l.startsWith("✗"))).toHaveLength(report.summary.fail);
    const covered = heads.reduce((sum, l) => sum + 1 + Number(/ and (\d+) more like it/.exec(l)?.[1] ?? 0), 0);
    expect(covered).toBe(report.summary.fail + report.summary.error);
    expect(section).toContain("✗ backend/cluster-ip:80/outside  [clusterip-not-from-outside]\n    rule: A ClusterIP is virtual: only traffic inside the cluster is translated to a pod\n    expected no endpoint answers; answered by pod ");
    expect(text).toMatch(/^✗1✓3 spread over pods: /m);
    expect(text).toMatch(/^!1✓2 probe agent on every node: 2 of 3 nodes$/m);
  });
});

describe("matrix of a five-node cluster", () => {
  const report = recorded("five-nodes");

  test("groups the nodes whose node-port column agrees on every row, and says so, to fit 120 columns", () => {
    const text = renderMatrix(report);
    expect(width(text)).toBeLessThanOrEqual(120);
    const { header, rows } = parseMatrix(text);
    expect(header).toEqual(["Service", "type", "ports", "pod IP", "ClusterIP", "DNS", "cp", "worker+3", "LB", "API proxy"]);
    expect(text).toContain("node ports: worker+3 = svclab-worker, svclab-worker2, svclab-worker3, svclab-worker4 (same verdicts on every row)");
    expect(rows.find((r) => r.Service === "frontend-local")).toMatchObject({ cp: "–/·", "worker+3": "✓/·" });
  });

  test("shows every node apart when the screen is wide enough", () => {
    expect(parseMatrix(renderMatrix(report, { width: 200 })).header).toEqual([
      "Service", "type", "ports", "pod IP", "ClusterIP", "DNS", "cp", "worker", "worker2", "worker3", "worker4", "LB", "API proxy",
    ]);
  });
});

describe("matrix of a report saved before the cluster picture was recorded", () => {
  test("still has a row per Service probed, with the type unknown", () => {
    const report = recorded("default-pass");
    const old = { ...report, cluster: { context: report.cluster.context, server: report.cluster.server, namespace: report.cluster.namespace, nodes: report.cluster.nodes } };
    const { rows } = parseMatrix(renderMatrix(old));
    expect(rows.map((r) => r.Service)).toEqual(SERVICES);
    expect(rows.find((r) => r.Service === "frontend-nodeport")).toMatchObject({ type: "?", cp: "✓/✓" });
  });
});

describe("short node names", () => {
  test("drop the shared prefix, and fall back to cp / n<i> for long names", () => {
    const nodes = (names: string[]) => names.map((name, i) => ({ name, role: i === 0 ? ("control-plane" as const) : ("worker" as const), internalIP: undefined, ready: true }));
    expect([...nodeShortNames(nodes(["svclab-control-plane", "svclab-worker", "svclab-worker2"])).values()]).toEqual(["cp", "worker", "worker2"]);
    expect([...nodeShortNames(nodes(["ip-10-0-1-23.ec2.internal", "ip-10-0-7-9.ec2.internal"])).values()]).toEqual(["cp", "n2"]);
  });
});
