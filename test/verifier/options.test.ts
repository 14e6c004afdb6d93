import { resolveOptions } from "../../verifier/options";
import { isLoopbackHost, outsideMode } from "../../verifier/platform";

describe("resolveOptions", () => {
  test("fills the documented defaults", () => {
    expect(resolveOptions({})).toMatchObject({
      namespace: "svclab",
      timeoutMs: 1500,
      deadlineMs: 60000,
      concurrency: 32,
      spreadRequests: 30,
      clusterDomain: "cluster.local",
      outsideViaLocalhost: false,
    });
  });

  test("keeps zero as a value rather than replacing it by a default", () => {
    expect(resolveOptions({ deadlineMs: 0 }).deadlineMs).toBe(0);
  });

  test("rejects out-of-range numbers naming the option, the value and what is allowed", () => {
    expect(() => resolveOptions({ timeoutMs: 10 })).toThrow("invalid timeoutMs 10: an integer from 50 to 60000 is allowed");
    expect(() => resolveOptions({ concurrency: 1.5 })).toThrow("invalid concurrency 1.5: an integer from 1 to 256 is allowed");
    expect(() => resolveOptions({ spreadRequests: 101 })).toThrow("invalid spreadRequests 101: an integer from 2 to 100 is allowed");
  });

  test("apiProxyMax takes an integer of at least 1 or \"all\"; unset, the default is left for the nodes discovered to decide", () => {
    expect(resolveOptions({}).apiProxyMax).toBeUndefined();
    expect(resolveOptions({ apiProxyMax: 1 }).apiProxyMax).toBe(1);
    expect(resolveOptions({ apiProxyMax: 5000 }).apiProxyMax).toBe(5000);
    expect(resolveOptions({ apiProxyMax: "all" }).apiProxyMax).toBe("all");
  });

  test("rejects an apiProxyMax that is not a positive integer or \"all\", naming the option, the value and what is allowed", () => {
    const allowed = `an integer from 1 up, or "all" for no bound, is allowed (default 8 per node)`;
    expect(() => resolveOptions({ apiProxyMax: 0 })).toThrow(`invalid apiProxyMax 0: ${allowed}`);
    expect(() => resolveOptions({ apiProxyMax: 2.5 })).toThrow(`invalid apiProxyMax 2.5: ${allowed}`);
    expect(() => resolveOptions({ apiProxyMax: "ALL" as never })).toThrow(`invalid apiProxyMax "ALL": ${allowed}`);
    expect(() => resolveOptions({ apiProxyMax: "16" as never })).toThrow(`invalid apiProxyMax "16": ${allowed}`);
  });

  test("rejects a namespace that Kubernetes would not accept", () => {
    expect(() => resolveOptions({ namespace: "Lab_1" })).toThrow(
      `invalid namespace "Lab_1": a Kubernetes namespace name (lower-case letters, digits and '-', at most 63) is allowed`,
    );
  });
});

describe("outsideMode", () => {
  test("on Linux node IPs are probed directly", () => {
    expect(outsideMode("https://127.0.0.1:6443", "linux", false)).toEqual({ kind: "direct" });
  });

  test("on macOS with the API server on loopback (Docker Desktop) node ports are tried on localhost", () => {
    expect(outsideMode("https://127.0.0.1:52000", "darwin", false)).toEqual({
      kind: "localhost",
      reason: "node IPs are not reachable from a darwin host (Docker Desktop publishes the API server on 127.0.0.1)",
    });
  });

  test("on macOS against a remote cluster node IPs are probed directly", () => {
    expect(outsideMode("https://k8s.example.invalid:6443", "darwin", false)).toEqual({ kind: "direct" });
  });

  test("the flag forces localhost mode anywhere", () => {
    expect(outsideMode("https://10.0.0.1:6443", "linux", true).kind).toBe("localhost");
  });

  test("recognises loopback hosts", () => {
    expect(["localhost", "127.0.0.1", "127.1.2.3", "[::1]"].every(isLoopbackHost)).toBe(true);
    expect(["10.0.0.1", "example.invalid", "128.0.0.1"].some(isLoopbackHost)).toBe(false);
  });
});
