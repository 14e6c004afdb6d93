import { judge, expectsNo } from "../../verifier/judge";
import type { Attempt, EndpointRef, Expectation, Identity, Observation, Probe } from "../../verifier/types";

const ENDPOINTS: EndpointRef[] = [
  { podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" },
  { podName: "frontend-b", address: "10.244.2.6", nodeName: "lab-worker2" },
];

function identity(podName: string, overrides: Partial<Identity> = {}): Identity {
  const endpoint = ENDPOINTS.find((e) => e.podName === podName);
  return { role: "frontend", pod: podName, podIP: endpoint?.address ?? "10.9.9.9", node: endpoint?.nodeName ?? "elsewhere", listenPort: 3000, ...overrides };
}

function answer(id: Identity | null, status = 200): Attempt {
  return { ok: status >= 200 && status < 300, status, identity: id, error: status >= 200 && status < 300 ? null : "http-status", latencyMs: 3 };
}

function failure(error: Attempt["error"]): Attempt {
  return { ok: false, status: null, identity: null, error, latencyMs: 100 };
}

function http(...attempts: Attempt[]): Observation {
  return { kind: "http", attempts };
}

function probeExpecting(expect: Expectation, extra: Partial<Probe> = {}): Probe {
  return {
    id: "web/cluster-ip:80/pod:lab-worker",
    rule: "clusterip-from-pod",
    service: "web",
    vantage: "pod",
    target: { kind: "http", label: "cluster-ip:80", url: "http://10.96.0.10:80/", requests: 1 },
    expect,
    ...extra,
  };
}

const reach: Expectation = { kind: "reach", endpoints: ENDPOINTS };
const noReach: Expectation = { kind: "no-reach", endpoints: ENDPOINTS };

describe("judge", () => {
  test("an answer naming an endpoint pod is a reach", () => {
    expect(judge(probeExpecting(reach), http(answer(identity("frontend-a"))))).toEqual({ status: "pass", reason: "answered by pod frontend-a on lab-worker" });
  });

  test("an answer from a pod that is not an endpoint is not a reach", () => {
    const verdict = judge(probeExpecting(reach), http(answer(identity("intruder"))));
    expect(verdict).toEqual({ status: "fail", reason: "answered by pod intruder on elsewhere, which is not an endpoint of this Service" });
  });

  test("an answer without a workload identity is recorded as something that is not an endpoint", () => {
    expect(judge(probeExpecting(reach), http(answer(null))).reason).toBe("answered HTTP 200 by something that is not an endpoint (no workload identity)");
    expect(judge(probeExpecting(noReach), http(answer(null)))).toEqual({
      status: "pass",
      reason: "answered HTTP 200 by something that is not an endpoint (no workload identity)",
    });
  });

  test("an expected no passes when something that is not the Service answers, with an identity just as in plain text", () => {
    expect(judge(probeExpecting(noReach), http(answer(identity("intruder"))))).toEqual({
      status: "pass",
      reason: "answered by pod intruder on elsewhere, which is not an endpoint of this Service",
    });
  });

  test("an expected no passes with the kind of failure, and fails when an endpoint answers", () => {
    expect(judge(probeExpecting(noReach), http(failure("timeout")))).toEqual({ status: "pass", reason: "no answer: timeout" });
    expect(judge(probeExpecting(noReach), http(answer(identity("frontend-b"))))).toEqual({
      status: "fail",
      reason: "answered by pod frontend-b on lab-worker2",
    });
  });

  test("a listen port other than the targetPort fails the port chain", () => {
    const verdict = judge(probeExpecting({ ...reach, listenPort: 3000 }), http(answer(identity("frontend-a", { listenPort: 8080 }))));
    expect(verdict).toEqual({ status: "fail", reason: "answered by pod frontend-a on lab-worker listening on 8080, not on targetPort 3000" });
    expect(judge(probeExpecting({ ...reach, listenPort: 3000 }), http(answer(identity("frontend-a")))).status).toBe("pass");
  });

  test("spread to one pod fails the spread check and reports the shares", () => {
    const attempts = Array.from({ length: 6 }, () => answer(identity("frontend-a")));
    expect(judge(probeExpecting({ kind: "spread", endpoints: ENDPOINTS, minPods: 2 }), http(...attempts))).toEqual({
      status: "fail",
      reason: "all 6 answered requests reached one pod: frontend-a 6/6",
    });
  });

  test("spread over two pods passes with each pod's share", () => {
    const attempts = [answer(identity("frontend-a")), answer(identity("frontend-b")), answer(identity("frontend-b"))];
    expect(judge(probeExpecting({ kind: "spread", endpoints: ENDPOINTS, minPods: 2 }), http(...attempts))).toEqual({
      status: "pass",
      reason: "2 pods answered: frontend-b 2/3, frontend-a 1/3",
    });
  });

  test("session affinity that spreads fails, and one pod passes", () => {
    const spreadAttempts = [answer(identity("frontend-a")), answer(identity("frontend-b"))];
    expect(judge(probeExpecting({ kind: "single-pod", endpoints: ENDPOINTS }), http(...spreadAttempts))).toEqual({
      status: "fail",
      reason: "requests spread over 2 pods despite session affinity: frontend-a 1/2, frontend-b 1/2",
    });
    expect(judge(probeExpecting({ kind: "single-pod", endpoints: ENDPOINTS }), http(answer(identity("frontend-b")), answer(identity("frontend-b")))).status).toBe(
      "pass",
    );
  });

  test("no endpoints: a refusal passes, a timeout fails", () => {
    expect(judge(probeExpecting({ kind: "refused" }), http(failure("refused"))).status).toBe("pass");
    expect(judge(probeExpecting({ kind: "refused" }), http(failure("timeout")))).toEqual({ status: "fail", reason: "no answer: timeout; expected a refusal (connections are dropped, not rejected)" });
  });

  test("internalTrafficPolicy Local: an answer from another node's pod fails", () => {
    const verdict = judge(probeExpecting({ ...reach, onNode: "lab-worker" }), http(answer(identity("frontend-b"))));
    expect(verdict).toEqual({ status: "fail", reason: "answered by pod frontend-b on lab-worker2; only pods on lab-worker may answer" });
  });

  test("externalTrafficPolicy Local: a rewritten client address fails", () => {
    const expectation: Expectation = { ...reach, clientNotIn: ["172.18.0.3"] };
    const snat = answer(identity("frontend-a", { client: { address: "::ffff:172.18.0.3", port: 5000 } }));
    expect(judge(probeExpecting(expectation), http(snat))).toEqual({
      status: "fail",
      reason: "pod frontend-a on lab-worker saw client address 172.18.0.3, a cluster address: the source was rewritten",
    });
    const real = answer(identity("frontend-a", { client: { address: "172.18.0.1", port: 5000 } }));
    expect(judge(probeExpecting(expectation), http(real)).status).toBe("pass");
  });

  test("externalTrafficPolicy Local: a client address rewritten to a non-cluster address still fails when the sender is known", () => {
    const expectation: Expectation = { ...reach, clientNotIn: ["172.18.0.3"] };
    // kube-proxy masquerading to the node's pod-network gateway: neither a node IP nor a pod IP.
    const gateway = { ...answer(identity("frontend-a", { client: { address: "10.244.1.1", port: 5000 } })), sourceAddress: "172.18.0.1" };
    expect(judge(probeExpecting(expectation), http(gateway))).toEqual({
      status: "fail",
      reason: "pod frontend-a on lab-worker saw client address 10.244.1.1, but the request came from 172.18.0.1: the source was rewritten",
    });
    const preserved = { ...answer(identity("frontend-a", { client: { address: "::ffff:172.18.0.1", port: 5000 } })), sourceAddress: "172.18.0.1" };
    expect(judge(probeExpecting(expectation), http(preserved)).status).toBe("pass");
  });

  test("a probe that could not run is an error, also for an expected no", () => {
    const broken: Observation = { kind: "broken", message: "probe agent svclab/probe-1 on lab-worker: pods proxy answered HTTP 503" };
    expect(judge(probeExpecting(noReach), broken)).toEqual({ status: "error", reason: broken.message });
    expect(judge(probeExpecting(reach), broken).status).toBe("error");
  });

  test("DNS: exact A records pass, others fail; a CNAME must name the externalName; outside NXDOMAIN passes", () => {
    const records: Observation = { kind: "dns", ok: true, records: ["10.244.2.6", "10.244.1.5"] };
    expect(judge(probeExpecting({ kind: "resolves-to", records: ["10.244.1.5", "10.244.2.6"] }), records).status).toBe("pass");
    expect(judge(probeExpecting({ kind: "resolves-to", records: ["10.244.1.5"] }), records)).toEqual({
      status: "fail",
      reason: "resolved to [10.244.1.5, 10.244.2.6], expected [10.244.1.5]",
    });
    expect(judge(probeExpecting({ kind: "resolves-to", records: [] }), { kind: "dns", ok: false, error: "nxdomain" }).status).toBe("pass");
    expect(judge(probeExpecting({ kind: "resolves-to", records: ["10.244.1.5"] }), { kind: "dns", ok: false, error: "nxdomain" }).status).toBe("fail");
    expect(judge(probeExpecting({ kind: "cname", name: "backend.svclab.svc.cluster.local" }), { kind: "dns", ok: true, records: ["backend.svclab.svc.cluster.local."] }).status).toBe(
      "pass",
    );
    expect(judge(probeExpecting({ kind: "no-resolve" }), { kind: "dns", ok: false, error: "nxdomain" })).toEqual({ status: "pass", reason: "does not resolve (nxdomain)" });
    expect(judge(probeExpecting({ kind: "no-resolve" }), { kind: "dns", ok: false, error: "timeout" })).toEqual({
      status: "error",
      reason: "the DNS server did not answer (timeout)",
    });
  });

  test("the API proxy of an ExternalName Service must answer with an error status", () => {
    expect(judge(probeExpecting({ kind: "proxy-fails" }), http(answer(null, 503))).status).toBe("pass");
    expect(judge(probeExpecting({ kind: "proxy-fails" }), http(answer(identity("frontend-a")))).status).toBe("fail");
  });

  test("a localhost stand-in that nobody listens on is skipped, not failed or passed", () => {
    const probe = probeExpecting(reach, { skipWhenRefused: "no kind port mapping" });
    expect(judge(probe, http(failure("refused")))).toEqual({ status: "skipped", reason: "no kind port mapping" });
  });

  test("facts from the API pass or fail as they hold; a missing probe agent is an error", () => {
    expect(judge(probeExpecting({ kind: "fact", holds: false, detail: "no agent", otherwise: "error" }), { kind: "none" })).toEqual({ status: "error", reason: "no agent" });
    expect(judge(probeExpecting({ kind: "fact", holds: true, detail: "fine", otherwise: "fail" }), { kind: "none" }).status).toBe("pass");
  });

  test("only expected-no expectations are single attempts", () => {
    expect(["no-reach", "refused", "no-resolve", "proxy-fails"].every((kind) => expectsNo({ kind } as Expectation))).toBe(true);
    expect(expectsNo(reach)).toBe(false);
  });
});
