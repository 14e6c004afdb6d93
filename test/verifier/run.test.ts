import { KubeConfig } from "@kubernetes/client-node";
import { liveExecutor, runProbes, type ProbeExecutor } from "../../verifier/run";
import type { Observation, Probe } from "../../verifier/types";

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
  test("never has more probes in flight than the concurrency bound, and keeps plan order", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const execute: ProbeExecutor = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return TIMED_OUT;
    };
    const probes = Array.from({ length: 20 }, (_, i) => probe(`p${i}`, { kind: "no-reach", endpoints: ENDPOINTS }));
    const results = await runProbes(probes, { concurrency: 3, deadline: Date.now() + 60000, execute });
    expect(maxInFlight).toBe(3);
    expect(results.map((r) => r.id)).toEqual(probes.map((p) => p.id));
    expect(results.every((r) => r.status === "pass" && r.expectNo)).toBe(true);
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
});
