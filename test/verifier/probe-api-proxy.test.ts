/**
 * The api-proxy vantage (verifier/probe/api-proxy.ts) against a loopback API
 * server: answers are observations; 401/403 and a gone server end the run.
 */
import { KubeApiError } from "../../verifier/errors";
import { judge } from "../../verifier/judge";
import { getViaApiProxy } from "../../verifier/probe/api-proxy";
import type { Probe } from "../../verifier/types";
import { json, startLoopbackApi, type LoopbackApi } from "./loopback-api";

const PATH = "/api/v1/namespaces/svclab/services/backend-external:http/proxy/";
/** ExternalName's rule: the proxy must answer with an error status. */
const PROXY_FAILS: Probe = {
  id: "backend-external/proxy:http/api-proxy",
  rule: "externalname-no-proxy",
  service: "backend-external",
  vantage: "api-proxy",
  target: { kind: "api-proxy", label: "proxy:http", path: PATH },
  expect: { kind: "proxy-fails" },
};

describe("probe/api-proxy", () => {
  let api: LoopbackApi;
  beforeEach(async () => {
    api = await startLoopbackApi();
  });
  afterEach(async () => {
    await api.close();
  });

  test("an answer with the workload identity is an HTTP observation carrying it", async () => {
    api.answer((_url, res) => json(res, 200, { pod: "backend-1", podIP: "10.244.1.5", listenPort: 3000 }));
    const observation = await getViaApiProxy(api.kc, PATH, 1000);
    expect(api.seen[0]?.pathname).toBe(PATH);
    expect(observation).toMatchObject({ kind: "http", attempts: [{ ok: true, status: 200, identity: { pod: "backend-1" }, error: null }] });
  });

  test("a 503 from the proxy is an observation (the proxy could not reach a pod), and proves an expected proxy failure", async () => {
    api.answer((_url, res) => json(res, 503, { kind: "Status", message: 'no endpoints available for service "backend-external"', code: 503 }));
    const observation = await getViaApiProxy(api.kc, PATH, 1000);
    expect(observation).toMatchObject({ kind: "http", attempts: [{ ok: false, status: 503, error: "http-status" }] });
    expect(judge(PROXY_FAILS, observation).status).toBe("pass");
  });

  test.each([401, 403])("HTTP %i is the verifier's own access failing: a KubeApiError, never a pass of an expected proxy failure", async (status) => {
    api.answer((_url, res) => json(res, status, { kind: "Status", message: 'services "backend-external" is forbidden', code: status }));
    const run = getViaApiProxy(api.kc, PATH, 1000);
    await expect(run).rejects.toBeInstanceOf(KubeApiError);
    await expect(run).rejects.toThrow(new RegExp(`^Kubernetes API: cannot GET ${PATH.replace(/\//g, "\\/")} \\(the services proxy\\): HTTP ${status} .*is forbidden$`));
  });

  test("an API server that is gone ends the run", async () => {
    await api.close();
    await expect(getViaApiProxy(api.kc, PATH, 1000)).rejects.toThrow(/is gone \(refused: /);
  });

  test("an API hop that does not answer in time is broken but transient", async () => {
    api.answer(() => undefined);
    expect(await getViaApiProxy(api.kc, PATH, 50)).toMatchObject({ kind: "broken", transient: true });
  });
});
