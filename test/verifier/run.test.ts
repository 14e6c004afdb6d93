import { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "../../verifier/errors";
import { liveExecutor, MIN_TRIES, REFUSAL_TRIES, runProbes, WAIT_CONCURRENCY, type ProbeExecutor } from "../../verifier/run";
import type { Attempt, Observation, Probe } from "../../verifier/types";

const ENDPOINTS = [{ podName: "frontend-a", address: "10.244.1.5", nodeName: "lab-worker" }];
const REACHED: Observation = {
  kind: "http",
  attempts: [{ ok: true, status: 200, identity: { pod: "frontend-a", podIP: "10.244.1.5", listenPort: 3000 }, error: null, latencyMs: 1 }],
};
const TIMED_OUT: Observation = { kind: "http", attempts: [{ ok: false, status: null, identity: null, error: "timeout", latencyMs: 100 }] };

function probe(id: string, expect: Probe["expect"], extra: Partial<Probe> = {}): Probe {
  return {
    id,
    rule: expect.kind === "no-reach" ? "clusterip-not-from-outside" : "clusterip-from-pod",
    service: "web",
    vantage: "outside",
    target: { kind: "http", label: id, url: `http://127.0.0.1:1/${id}`, requests: 1 },
    expect,
    ...extra,
  };
}

describe("runProbes", () => {
  /** An executor that counts what is in flight, by expectation, and answers on the next turn of the loop. */
  function counting(): ProbeExecutor & { most: { yes: number; no: number } } {
    const now = { yes: 0, no: 0 };
    const most = { yes: 0, no: 0 };
    const execute = async (p: Probe): Promise<Observation> => {
      const lane = p.expect.kind === "no-reach" ? "no" : "yes";
      now[lane]++;
      most[lane] = Math.max(most[lane], now[lane]);
      await new Promise((resolve) => setImmediate(resolve));
      now[lane]--;
      return lane === "no" ? TIMED_OUT : REACHED;
    };
    return Object.assign(execute, { most });
  }

  test("never has more work in flight than the concurrency bound, nor more expected-no waits than the wait bound, and keeps plan order", async () => {
    const execute = counting();
    const probes = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? probe(`p${i}`, { kind: "no-reach", endpoints: ENDPOINTS }) : probe(`p${i}`, { kind: "reach", endpoints: ENDPOINTS }),
    );
    const results = await runProbes(probes, { concurrency: 3, waitConcurrency: 5, deadline: Date.now() + 60000, execute });
    expect(execute.most).toEqual({ yes: 3, no: 5 });
    expect(results.map((r) => r.id)).toEqual(probes.map((p) => p.id));
    expect(results.every((r) => r.status === "pass")).toBe(true);
  });

  test(`expected-no waits have their own bound (${WAIT_CONCURRENCY} by default), so they all wait together beside the work`, async () => {
    const execute = counting();
    const probes = [
      ...Array.from({ length: WAIT_CONCURRENCY + 20 }, (_, i) => probe(`no${i}`, { kind: "no-reach", endpoints: ENDPOINTS })),
      ...Array.from({ length: 10 }, (_, i) => probe(`yes${i}`, { kind: "reach", endpoints: ENDPOINTS })),
    ];
    await runProbes(probes, { concurrency: 2, deadline: Date.now() + 60000, execute });
    expect(execute.most).toEqual({ yes: 2, no: WAIT_CONCURRENCY });
  });

  test("an api-proxy request that expects no answer still counts as work (it loads the API server)", async () => {
    const execute = counting();
    const viaApi = (id: string): Probe =>
      probe(id, { kind: "no-reach", endpoints: ENDPOINTS }, { vantage: "api-proxy", target: { kind: "api-proxy", label: id, path: `/api/v1/namespaces/svclab/services/${id}/proxy/` } });
    await runProbes(Array.from({ length: 10 }, (_, i) => viaApi(`s${i}`)), { concurrency: 2, deadline: Date.now() + 60000, execute });
    expect(execute.most.no).toBe(2);
  });

  test("batched probes are all asked in the same turn of the loop, outside both bounds", async () => {
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const execute: ProbeExecutor = async (p) => {
      asked.push(p.id);
      await gate;
      return p.expect.kind === "no-reach" ? TIMED_OUT : REACHED;
    };
    const pod = (id: string, expect: Probe["expect"]): Probe => probe(id, expect, { vantage: "pod", from: "lab-worker" });
    const probes = Array.from({ length: 30 }, (_, i) => pod(`p${i}`, i % 3 === 0 ? { kind: "no-reach", endpoints: ENDPOINTS } : { kind: "reach", endpoints: ENDPOINTS }));
    const run = runProbes(probes, { concurrency: 1, waitConcurrency: 1, deadline: Date.now() + 60000, execute, batched: (p) => p.vantage === "pod" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveLength(30);
    release();
    expect((await run).every((r) => r.status === "pass")).toBe(true);
  });

  test("the same request needed by several probes is sent once, and each probe is judged on it", async () => {
    const execute = jest.fn<Promise<Observation>, [Probe]>(async () => REACHED);
    const shared = { kind: "http" as const, label: "cluster-ip:80", url: "http://10.96.0.10:80/", requests: 1 };
    const results = await runProbes(
      [
        probe("web/cluster-ip:80/pod:a", { kind: "reach", endpoints: ENDPOINTS }, { target: shared }),
        probe("web/cluster-ip:80->3000/pod:a", { kind: "reach", endpoints: ENDPOINTS, listenPort: 8080 }, { target: shared }),
      ],
      { concurrency: 4, deadline: Date.now(), execute },
    );
    expect(execute).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.status)).toEqual(["pass", "fail"]);
  });

  test("probes that expect no answer are started before the others", async () => {
    const started: string[] = [];
    const execute: ProbeExecutor = async (p) => {
      started.push(p.id);
      return p.expect.kind === "no-reach" ? TIMED_OUT : REACHED;
    };
    await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS }), probe("no", { kind: "no-reach", endpoints: ENDPOINTS })], { concurrency: 1, deadline: Date.now(), execute });
    expect(started).toEqual(["no", "yes"]);
  });

  test("an expected no is one attempt; an expected yes is retried until it passes", async () => {
    const calls = new Map<string, number>();
    const execute: ProbeExecutor = async (p) => {
      const n = (calls.get(p.id) ?? 0) + 1;
      calls.set(p.id, n);
      return p.id === "yes" && n >= 2 ? REACHED : TIMED_OUT;
    };
    const results = await runProbes([probe("no", { kind: "no-reach", endpoints: ENDPOINTS }), probe("yes", { kind: "reach", endpoints: ENDPOINTS })], {
      concurrency: 2,
      deadline: Date.now() + 60000,
      execute,
    });
    expect(calls.get("no")).toBe(1);
    expect(calls.get("yes")).toBe(2);
    expect(results.map((r) => r.status)).toEqual(["pass", "pass"]);
  });

  test("an expected yes that never answers fails once the deadline has passed, with the rule sentence", async () => {
    const [result] = await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS })], { concurrency: 1, deadline: Date.now(), execute: async () => TIMED_OUT });
    expect(result).toMatchObject({
      status: "fail",
      reason: "no answer: timeout",
      rule: { id: "clusterip-from-pod", sentence: "From any pod, the ClusterIP and Service port reach one of the Service's ready pods" },
      expect: "reach an endpoint pod",
      expectNo: false,
    });
  });

  test("a skipped probe is never executed and never counted as passed", async () => {
    const execute = jest.fn<Promise<Observation>, [Probe]>(async () => REACHED);
    const [result] = await runProbes([probe("s", { kind: "reach", endpoints: ENDPOINTS }, { skip: "node IPs are not reachable" })], {
      concurrency: 1,
      deadline: Date.now(),
      execute,
    });
    expect(execute).not.toHaveBeenCalled();
    expect(result).toMatchObject({ status: "skipped", reason: "node IPs are not reachable" });
  });

  test("a pod probe on a node without a probe agent is an error, even when it expects no answer", async () => {
    const execute = liveExecutor(new KubeConfig(), "svclab", 100);
    const [result] = await runProbes([probe("web/pod:x:3000/pod:lab-worker2", { kind: "no-reach", endpoints: ENDPOINTS }, { vantage: "pod", from: "lab-worker2" })], {
      concurrency: 1,
      deadline: Date.now(),
      execute,
    });
    expect(result).toMatchObject({ status: "error", reason: "no ready probe agent on node lab-worker2 (label app.kubernetes.io/component=probe)" });
  });

  describe("what is sent again", () => {
    const ENDPOINTS_AB = [...ENDPOINTS, { podName: "frontend-b", address: "10.244.2.6", nodeName: "lab-worker2" }];
    const from = (pod: string): Attempt => ({ ok: true, status: 200, identity: { pod, listenPort: 3000 }, error: null, latencyMs: 1 });
    const timeout: Attempt = { ok: false, status: null, identity: null, error: "timeout", latencyMs: 400 };
    const refused: Attempt = { ok: false, status: null, identity: null, error: "refused", latencyMs: 1 };
    /** An executor that plays the observations in order and records what it was asked. */
    function script(...observations: Observation[]): ProbeExecutor & { asked: Probe[] } {
      const asked: Probe[] = [];
      const execute = async (p: Probe): Promise<Observation> => {
        asked.push(p);
        return observations[Math.min(asked.length, observations.length) - 1] as Observation;
      };
      return Object.assign(execute, { asked });
    }
    const http = (...attempts: Attempt[]): Observation => ({ kind: "http", attempts });
    const passed = { concurrency: 1, deadline: 0 };

    test("an access failure of the verifier ends the run at once: the error is thrown and nothing else is sent", async () => {
      let calls = 0;
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      const execute: ProbeExecutor = async () => {
        calls++;
        if (calls === 1) {
          throw new KubeApiError("use the pods proxy of probe agent svclab/probe-0 on lab-worker", undefined, "http://127.0.0.1:1 is gone (refused: connect ECONNREFUSED)");
        }
        await tick();
        return REACHED;
      };
      const probes = Array.from({ length: 10 }, (_, i) => probe(`yes${i}`, { kind: "reach", endpoints: ENDPOINTS }));
      await expect(runProbes(probes, { concurrency: 2, deadline: Date.now() + 60000, execute })).rejects.toThrow(
        "Kubernetes API: cannot use the pods proxy of probe agent svclab/probe-0 on lab-worker: http://127.0.0.1:1 is gone (refused: connect ECONNREFUSED)",
      );
      for (let i = 0; i < 50; i++) await tick();
      // The request already in flight on the other worker finishes; nothing new starts.
      expect(calls).toBe(2);
    });

    test("a broken probe is not retried, unless its hop was only slow", async () => {
      const broken = script({ kind: "broken", message: "pods proxy answered HTTP 503" });
      const [once] = await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS })], { ...passed, deadline: Date.now() + 60000, execute: broken });
      expect([once?.status, broken.asked.length]).toEqual(["error", 1]);
      const slow = script({ kind: "broken", message: "no answer from the API server within 2400 ms", transient: true }, REACHED);
      const [again] = await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS })], { ...passed, execute: slow });
      expect([again?.status, slow.asked.length]).toEqual(["pass", 2]);
    });

    test(`an expected answer that timed out is sent again (${MIN_TRIES} times at least) even when the deadline has passed`, async () => {
      const late = script(TIMED_OUT, TIMED_OUT, REACHED);
      const [result] = await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS })], { ...passed, execute: late });
      expect([result?.status, late.asked.length]).toEqual(["pass", 3]);
    });

    test("a wrong answer is final: it is not sent again while the deadline is far", async () => {
      const wrong = script(http(from("intruder")));
      const [result] = await runProbes([probe("yes", { kind: "reach", endpoints: ENDPOINTS })], { ...passed, deadline: Date.now() + 60000, execute: wrong });
      expect([result?.status, wrong.asked.length]).toEqual(["fail", 1]);
    });

    test("an expected refusal seen among rate-limited timeouts passes, and one that only times out fails after a bounded number of tries", async () => {
      const limited = script(http(timeout), http(timeout), http(refused));
      const [ok] = await runProbes([probe("refuse", { kind: "refused" })], { ...passed, execute: limited });
      expect(ok).toMatchObject({ status: "pass", reason: expect.stringContaining("connection refused (1 of 3 attempts") });
      const dropped = script(http(timeout));
      const [bad] = await runProbes([probe("refuse", { kind: "refused" })], { ...passed, deadline: Date.now() + 60000, execute: dropped });
      expect([bad?.status, dropped.asked.length]).toEqual(["fail", REFUSAL_TRIES]);
    });

    test("spread: requests with no answer are sent again, only as many as went unanswered, and the answers are judged together", async () => {
      const spread = { ...probe("spread", { kind: "spread", endpoints: ENDPOINTS_AB, minPods: 2 }), target: { kind: "http" as const, label: "spread", url: "http://10.96.0.10/", requests: 6 } };
      const run = script(http(from("frontend-a"), from("frontend-a"), timeout, from("frontend-a"), timeout, timeout), http(from("frontend-b"), timeout, from("frontend-a")));
      const [result] = await runProbes([spread], { ...passed, execute: run });
      expect(run.asked.map((p) => (p.target.kind === "http" ? p.target.requests : 0))).toEqual([6, 3]);
      expect(result).toMatchObject({ status: "pass", reason: "2 pods answered: frontend-a 4/5, frontend-b 1/5; 1/6 requests got no answer" });
    });

    test("affinity: an answer from a second pod fails at once, with no retry", async () => {
      const sticky = { ...probe("sticky", { kind: "single-pod", endpoints: ENDPOINTS_AB }), target: { kind: "http" as const, label: "sticky", url: "http://10.96.0.10/", requests: 4 } };
      const run = script(http(from("frontend-a"), timeout, from("frontend-b"), timeout));
      const [result] = await runProbes([sticky], { ...passed, deadline: Date.now() + 60000, execute: run });
      expect([result?.status, run.asked.length]).toEqual(["fail", 1]);
    });
  });
});
