/**
 * The "try it yourself" block `lab` prints after verifying: every URL the
 * stack outputs (CONTRACTS.md "Stack outputs"), grouped by how it is reached.
 */
import type { LabOutputs } from "./pulumi";

type UrlGroup = Readonly<Record<string, readonly string[]>>;

/** How the OS is called in messages. */
function osName(platform: NodeJS.Platform): string {
  return platform === "darwin" ? "macOS" : platform === "win32" ? "Windows" : platform;
}

/**
 * Lines of the URL block, from the stack outputs; groups with no URL are left
 * out. Each group's title says whether its URLs answer from this machine: on
 * Linux the host routes to the kind Docker network (node and LoadBalancer
 * addresses answer); with Docker Desktop (macOS, Windows) those addresses live
 * inside its VM and only the localhost port mappings and the API proxy do.
 */
export function formatLabUrls(outputs: LabOutputs, platform: NodeJS.Platform = process.platform): string[] {
  const lines: string[] = [];
  const section = (title: string, rows: readonly (readonly [string, string])[]) => {
    if (rows.length > 0) {
      const width = Math.max(...rows.map(([name]) => name.length));
      lines.push(title, ...rows.map(([name, urls]) => `  ${name.padEnd(width)}  ${urls}`));
    }
  };
  const clusterName = typeof outputs.clusterName === "string" ? outputs.clusterName : undefined;
  const kindMode = outputs.clusterMode === "kind";

  const linux = platform === "linux";
  const notFromHere = `NOT reachable from this ${osName(platform)} host: Docker Desktop keeps the kind network inside its VM`;
  section(
    !kindMode
      ? "NodePort on every node:"
      : linux
        ? "NodePort on every node (node IPs on the kind Docker network answer from this Linux host):"
        : `NodePort on every node (${notFromHere}; use the localhost URLs):`,
    groupRows(outputs.nodePortUrls),
  );
  section("localhost (kind port mappings on this machine, any OS):", groupRows(outputs.localhostUrls));
  section(
    !kindMode
      ? "LoadBalancer:"
      : linux
        ? "LoadBalancer (cloud-provider-kind addresses on the kind Docker network answer from this Linux host):"
        : `LoadBalancer (${notFromHere}; they answer from pods, which the verifier checks):`,
    loadBalancerRows(outputs),
  );
  const proxyHint = kindMode && clusterName !== undefined ? `kubectl --context kind-${clusterName} proxy` : "kubectl proxy";
  section(`API server proxy (run \`${proxyHint}\` in another terminal first):`, singleRows(outputs.apiProxyUrls));

  const firstUrl = firstOf(outputs.localhostUrls) ?? (linux || !kindMode ? firstOf(outputs.nodePortUrls) : undefined);
  if (firstUrl !== undefined) {
    lines.push(`Try: curl -s ${firstUrl}/   (or open it in a browser: it shows which pod on which node answered)`);
  }
  return lines;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function asGroup(value: unknown): UrlGroup {
  if (typeof value !== "object" || value === null) {
    return {};
  }
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string[]] => isStringArray(entry[1])));
}

function groupRows(value: unknown): [string, string][] {
  return Object.entries(asGroup(value))
    .filter(([, urls]) => urls.length > 0)
    .map(([name, urls]) => [name, urls.join("  ")]);
}

function singleRows(value: unknown): [string, string][] {
  if (typeof value !== "object" || value === null) {
    return [];
  }
  return Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string");
}

function firstOf(value: unknown): string | undefined {
  return Object.values(asGroup(value)).find((urls) => urls.length > 0)?.[0];
}

interface ServiceOutput {
  readonly type?: string;
  readonly port?: number | null;
  readonly loadBalancerAddress?: string | null;
}

function loadBalancerRows(outputs: LabOutputs): [string, string][] {
  const services = (typeof outputs.services === "object" && outputs.services !== null ? outputs.services : {}) as Readonly<Record<string, ServiceOutput>>;
  const why = typeof outputs.loadBalancer === "string" ? outputs.loadBalancer : "no load-balancer implementation";
  return Object.entries(services)
    .filter(([, service]) => service.type === "LoadBalancer")
    .map(([name, service]) => {
      const address = service.loadBalancerAddress;
      return [name, typeof address === "string" && address.length > 0 ? `http://${address}:${service.port ?? 80}` : `no address (${why})`];
    });
}
