/**
 * The verifier and the probe agents' token (issue 9, item 14): it reads the
 * Secret with the user's credentials and sends the token on every pod probe;
 * when it may not read the Secret it stops at once and says what to grant.
 */
import { KubeApiError } from "../../verifier";
import { buildWorld, type World } from "../support/standin";
import { describeProblems, verifyWorld } from "./verify-helpers";

/** Pod probes only: enough to show whether the agents let the verifier in. */
const POD_PROBES = /^backend\/cluster-ip:[0-9]+\/pod:/;

describe("verify() and the probe token", () => {
  const worlds: World[] = [];
  afterAll(async () => {
    await Promise.all(worlds.map((w) => w.close()));
  });
  async function world(probeTokenSecret?: "missing" | "forbidden" | "stale"): Promise<World> {
    const built = await buildWorld(probeTokenSecret === undefined ? {} : { faults: { probeTokenSecret } });
    worlds.push(built);
    return built;
  }

  test("reads the Secret and sends the token: the agents answer", async () => {
    const w = await world();
    const report = await verifyWorld(w, { only: POD_PROBES });
    expect(describeProblems(report.probes)).toBe("");
    expect(report.summary.pass).toBe(3);
    expect(w.api.requests).toContain("GET /api/v1/namespaces/svclab/secrets/svclab-probe-token");
  });

  test("a user who may not read the Secret gets exit 2 and one line saying what to grant", async () => {
    const w = await world("forbidden");
    const run = verifyWorld(w, { only: POD_PROBES });
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(
      /^Kubernetes API: cannot read the probe token \(Secret svclab\/svclab-probe-token\): HTTP 403 Forbidden: .*kubectl -n svclab create role svclab-probe-token --verb=get --resource=secrets --resource-name=svclab-probe-token/,
    );
  });

  test("a run without pod probes does not need the Secret", async () => {
    const w = await world("forbidden");
    const report = await verifyWorld(w, { only: /^backend\/cluster-ip:[0-9]+\/outside$/ });
    expect(report.summary.total).toBe(1);
    expect(w.api.requests.some((r) => r.includes("/secrets/"))).toBe(false);
  });

  test("without the Secret the pod probes are sent without a token; the agents' 401 ends the run with one line that says why", async () => {
    const w = await world("missing");
    const run = verifyWorld(w, { only: POD_PROBES });
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(
      /^Kubernetes API: cannot use probe agent svclab\/probe-\w+ on svclab-[\w-]+: HTTP 401 the agent refused the probe token \(.*\): no token was sent, as Secret svclab\/svclab-probe-token does not exist$/,
    );
  });

  test("agents holding another token than the Secret's end the run, never a pass of an expected no", async () => {
    const w = await world("stale");
    const run = verifyWorld(w, { only: /^backend\/(cluster-ip:[0-9]+\/pod:|pod:[^/]*\/pod:svclab-worker$)/ });
    await expect(run).rejects.toThrow(/the kubelet may not have updated the agent's copy yet: run again$/);
  });
});
