import type { VerifyReport } from "../../verifier";
import { summarise } from "../../verifier";
import { renderJson } from "../../verifier/report/json";
import { renderJunit } from "../../verifier/report/junit";
import { renderTable } from "../../verifier/report/table";
import { rule, type RuleId } from "../../verifier/rules";
import type { ProbeResult, ProbeStatus } from "../../verifier/types";
import { NODES } from "./fixtures";

function result(id: string, ruleId: RuleId, status: ProbeStatus, reason: string, extra: Partial<ProbeResult> = {}): ProbeResult {
  const [service = "", target = "", vantagePart = ""] = id.split("/");
  const pod = vantagePart.startsWith("pod:");
  return {
    id,
    rule: { id: ruleId, sentence: rule(ruleId).sentence },
    service,
    target,
    vantage: pod ? "pod" : (vantagePart as ProbeResult["vantage"]),
    ...(pod ? { from: vantagePart.slice(4) } : {}),
    expect: "reach an endpoint pod",
    expectNo: false,
    status,
    observation: { kind: "none" },
    reason,
    durationMs: 12,
    ...extra,
  };
}

const PROBES: ProbeResult[] = [
  result("backend/cluster-ip:80/outside", "clusterip-not-from-outside", "pass", "no answer: timeout", { expect: "no endpoint answers", expectNo: true }),
  result("backend/cluster-ip:80/pod:lab-control-plane", "clusterip-from-pod", "pass", "answered by pod backend-a"),
  result("backend/cluster-ip:80/pod:lab-worker", "clusterip-from-pod", "pass", "answered by pod backend-b"),
  result("frontend-nodeport/node-port:lab-worker:http/outside", "nodeport-from-outside", "fail", "no answer: timeout"),
  result("frontend-nodeport/node-port:lab-worker:http/pod:lab-control-plane", "nodeport-from-pod", "error", "probe agent svclab/probe-0: pods proxy answered HTTP 503"),
  result("frontend-lb/lb:pending:80/outside", "lb-from-outside", "skipped", "no load-balancer address assigned"),
];

function report(probes: ProbeResult[] = PROBES): VerifyReport {
  const summary = summarise(probes);
  return {
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1534,
    cluster: { context: "kind-lab", server: "https://127.0.0.1:6443", namespace: "svclab", nodes: NODES },
    probes,
    notes: ["outside checks of node ports were tried on 127.0.0.1"],
    summary,
    exitCode: summary.fail > 0 ? 1 : summary.error > 0 ? 2 : 0,
  };
}

describe("table report", () => {
  const text = renderTable(report());

  test("has one row per Service and target with a column per vantage", () => {
    expect(text).toMatch(/│ service\s+│ target\s+│ outside\s+│ pod\s+│/);
    expect(text).toMatch(/│ backend\s+│ cluster-ip:80\s+│ –\s+│ ✓ ×2\s+│/);
    expect(text).toMatch(/│ frontend-nodeport\s+│ node-port:lab-worker:http\s+│ ✗\s+│ !\s+│/);
    expect(text).toMatch(/│ frontend-lb\s+│ lb:pending:80\s+│ skip\s+│/);
  });

  test("lists each failure and error with its rule sentence and reason, and each skip with its reason", () => {
    expect(text).toContain("✗ frontend-nodeport/node-port:lab-worker:http/outside  [nodeport-from-outside]");
    expect(text).toContain(`rule: ${rule("nodeport-from-outside").sentence}`);
    expect(text).toContain("expected reach an endpoint pod; no answer: timeout");
    expect(text).toContain("! frontend-nodeport/node-port:lab-worker:http/pod:lab-control-plane  [nodeport-from-pod]");
    expect(text).toContain("skip frontend-lb/lb:pending:80/outside: no load-balancer address assigned");
    expect(text).toContain("- outside checks of node ports were tried on 127.0.0.1");
  });

  test("ends with the summary line", () => {
    expect(text.trimEnd().split("\n").at(-1)).toBe("3 passed, 1 failed, 1 errors, 1 skipped (6 probes in 1.5 s)");
  });

  test("has no colour codes unless asked, and colours the symbols when asked", () => {
    expect(text).not.toContain("\u001b[");
    const colored = renderTable(report(), { color: true });
    expect(colored).toContain("\u001b[31m✗\u001b[39m");
  });
});

describe("JSON report", () => {
  test("carries every probe with expectation, observation, timing and rule sentence, and the summary", () => {
    const parsed = JSON.parse(renderJson(report()));
    expect(parsed.summary).toEqual({ pass: 3, fail: 1, error: 1, skipped: 1, total: 6 });
    expect(parsed.exitCode).toBe(1);
    expect(parsed.probes).toHaveLength(6);
    expect(Object.keys(parsed.probes[0]).sort()).toEqual(
      ["durationMs", "expect", "expectNo", "id", "observation", "reason", "rule", "service", "status", "target", "vantage"].sort(),
    );
    expect(parsed.probes[3].rule.sentence).toBe(rule("nodeport-from-outside").sentence);
    expect(parsed.cluster).toMatchObject({ context: "kind-lab", namespace: "svclab" });
  });
});

/** The attributes and children of each <testcase> element. */
function testcases(xml: string): { name: string; classname: string; body: string }[] {
  const cases = [...xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)];
  return cases.map((m) => {
    const attrs = m[1] ?? "";
    const attr = (key: string): string => new RegExp(`\\s${key}="([^"]*)"`).exec(attrs)?.[1] ?? "";
    return { name: attr("name"), classname: attr("classname"), body: m[2] ?? "" };
  });
}

describe("JUnit report", () => {
  const xml = renderJunit(report());

  test("has one test case per probe id, classed by rule id", () => {
    const cases = testcases(xml);
    expect(cases.map((c) => c.name)).toEqual(PROBES.map((p) => p.id));
    expect(cases.map((c) => c.classname)).toEqual(PROBES.map((p) => p.rule.id));
  });

  test("counts failures, errors and skips in the suite, with the reason in the element", () => {
    expect(xml).toMatch(/<testsuite [^>]*tests="6"[^>]*failures="1"[^>]*errors="1"[^>]*skipped="1"/);
    const failed = testcases(xml).find((c) => c.name === "frontend-nodeport/node-port:lab-worker:http/outside");
    expect(failed?.body).toMatch(/<failure message="[^"]*Observed: no answer: timeout"/);
    const errored = testcases(xml).find((c) => c.classname === "nodeport-from-pod");
    expect(errored?.body).toMatch(/<error message="[^"]*pods proxy answered HTTP 503"/);
  });

  test("names a pod by its stable id and gives its real name in the message", () => {
    const probe = result("backend/pod:lab-worker#1:3000/pod:lab-worker2", "pod-ip-from-pod", "fail", "no answer: timeout", {
      subject: "pod backend-77c-x2x4q (10.244.1.5)",
    });
    const [testCase] = testcases(renderJunit(report([probe])));
    expect(testCase?.name).toBe("backend/pod:lab-worker#1:3000/pod:lab-worker2");
    expect(testCase?.body).toContain("Target: pod backend-77c-x2x4q (10.244.1.5).");
    expect(renderTable(report([probe]))).toContain("    target: pod backend-77c-x2x4q (10.244.1.5)\n");
  });
});
