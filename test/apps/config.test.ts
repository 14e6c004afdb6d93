import { hostname } from "node:os";
import { ConfigError, loadConfig } from "../../apps/src/config";

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    expect(loadConfig({})).toEqual({
      role: "backend",
      port: 3000,
      host: undefined,
      podName: hostname(),
      namespace: "unknown",
      nodeName: "unknown",
      podIP: "unknown",
      backendUrl: null,
      version: "dev",
      shutdownGraceMs: 8000,
      probeTokenFile: null,
    });
  });

  it("treats empty Downward API values as unset", () => {
    expect(loadConfig({ NODE_NAME: "", POD_IP: "  " })).toMatchObject({ nodeName: "unknown", podIP: "unknown" });
  });

  it("gives the frontend the backend Service's short name unless BACKEND_URL is set", () => {
    expect(loadConfig({ ROLE: "frontend" }).backendUrl).toBe("http://backend/");
    expect(loadConfig({ ROLE: "frontend", BACKEND_URL: "http://backend.svclab.svc.cluster.local" }).backendUrl).toBe(
      "http://backend.svclab.svc.cluster.local/",
    );
  });

  it.each([
    [{ ROLE: "database" }, 'ROLE is "database"; allowed: frontend, backend, probe'],
    [{ PORT: "http" }, 'PORT is "http"; allowed: an integer from 0 to 65535'],
    [{ PORT: "65536" }, 'PORT is "65536"; allowed: an integer from 0 to 65535'],
    [{ PORT: "-1" }, 'PORT is "-1"; allowed: an integer from 0 to 65535'],
    [{ SHUTDOWN_GRACE_MS: "1e3" }, 'SHUTDOWN_GRACE_MS is "1e3"; allowed: an integer from 0 to 600000'],
    [{ ROLE: "frontend", BACKEND_URL: "backend:80" }, 'BACKEND_URL is "backend:80"; allowed: an absolute http:// or https:// URL'],
    [{ ROLE: "frontend", BACKEND_URL: "not a url" }, 'BACKEND_URL is "not a url"; allowed: an absolute http:// or https:// URL'],
  ])("refuses %j with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
