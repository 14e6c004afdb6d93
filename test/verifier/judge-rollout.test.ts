/**
 * Judging during a rollout (issue 9, item 7): a Service with no ready pods
 * whose data plane may fall back to its serving-but-terminating ones, and
 * the reason naming which case applied.
 */
import { describeExpectation, judge } from "../../verifier/judge";
import type { Attempt, EndpointRef, Expectation, Identity, Probe } from "../../verifier/types";

const LEAVING: EndpointRef = { podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" };
const NOT_READY: EndpointRef = { podName: "frontend-b", address: "10.244.2.6", nodeName: "lab-worker2" };

function answeredBy(e: EndpointRef): Attempt {
  const identity: Identity = { role: "frontend", pod: e.podName, podIP: e.address, node: e.nodeName, listenPort: 3000 };
  return { ok: true, status: 200, identity, error: null, latencyMs: 3 };
}

const refused: Attempt = { ok: false, status: null, identity: null, error: "refused", latencyMs: 1 };

function probeExpecting(expect: Expectation, because?: string): Probe {
  return {
    id: "web/cluster-ip:80/pod:lab-worker",
    rule: "terminating-fallback",
    service: "web",
    vantage: "pod",
    target: { kind: "http", label: "cluster-ip:80", url: "http://10.96.0.10:80/", requests: 1 },
    expect,
    ...(because !== undefined ? { because } : {}),
  };
}

const EITHER: Expectation = { kind: "no-reach", endpoints: [NOT_READY], mayAnswer: [LEAVING] };
const WHY = "no ready endpoint, 1 serving-but-terminating (frontend-a): kube-proxy v1.34.0 (1.26+) sends to serving-but-terminating pods when no ready pod is left";

describe("judging a Service with only serving-but-terminating endpoints", () => {
  test("the reason ends with the case that applied", () => {
    const verdict = judge(probeExpecting({ kind: "reach", endpoints: [LEAVING] }, WHY), { kind: "http", attempts: [answeredBy(LEAVING)] });
    expect(verdict).toEqual({ status: "pass", reason: `answered by pod frontend-a on lab-worker — ${WHY}` });
  });

  test("a failure carries the case too", () => {
    const verdict = judge(probeExpecting({ kind: "reach", endpoints: [LEAVING] }, WHY), { kind: "http", attempts: [refused] });
    expect(verdict.status).toBe("fail");
    expect(verdict.reason.endsWith(`— ${WHY}`)).toBe(true);
  });

  test("unknown fallback: an answer from the terminating pod passes and is named as such", () => {
    expect(judge(probeExpecting(EITHER), { kind: "http", attempts: [answeredBy(LEAVING)] })).toEqual({
      status: "pass",
      reason: "answered by pod frontend-a on lab-worker, a serving-but-terminating endpoint",
    });
  });

  test("unknown fallback: a refusal passes, an answer from a not-ready pod that is not terminating fails", () => {
    expect(judge(probeExpecting(EITHER), { kind: "http", attempts: [refused] }).status).toBe("pass");
    expect(judge(probeExpecting(EITHER), { kind: "http", attempts: [answeredBy(NOT_READY)] })).toEqual({
      status: "fail",
      reason: "answered by pod frontend-b on lab-worker2",
    });
  });

  test("the expectation says the terminating pod may answer", () => {
    expect(describeExpectation(EITHER)).toBe("no endpoint answers, or a serving-but-terminating one");
  });
});
