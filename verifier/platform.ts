/**
 * Decides how the outside vantage reaches node ports. On Linux the host
 * routes to kind node IPs on the `kind` Docker network; on macOS and Windows
 * (Docker Desktop) it does not, and only the node ports kind publishes on
 * 127.0.0.1 (`extraPortMappings`) can be tried.
 * @see https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings
 */
import type { OutsideMode } from "./plan";

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * @param server the API server URL from the kubeconfig
 * @param platform `process.platform` (a parameter so the decision is testable)
 * @param forceLocalhost `--outside-via-localhost`
 */
export function outsideMode(server: string, platform: NodeJS.Platform, forceLocalhost: boolean): OutsideMode {
  if (forceLocalhost) {
    return { kind: "localhost", reason: "--outside-via-localhost: node IPs are treated as unreachable from this machine" };
  }
  let host = "";
  try {
    host = new URL(server).hostname;
  } catch {
    return { kind: "direct" };
  }
  if (platform !== "linux" && isLoopbackHost(host)) {
    return {
      kind: "localhost",
      reason: `node IPs are not reachable from a ${platform} host (Docker Desktop publishes the API server on ${host})`,
    };
  }
  return { kind: "direct" };
}
