/**
 * Pure builders for the stack's ready-to-paste URLs and notes. They take plain
 * values; the stack program calls them inside `pulumi.all(...).apply`.
 */
import type { KindNode, ServiceSummary } from "../components";
import { isLoopbackAddress } from "../components";
import type { HostPortMapping } from "./config";

/** The port `kubectl proxy` listens on by default. */
export const KUBECTL_PROXY_PORT = 8001;

/** An address as a URL host: IPv6 literals in brackets. */
function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/**
 * One Service as the stack's `services` output shows it: every field present,
 * null where it does not apply (docs/CONTRACTS.md), so a script can read
 * `.nodePort` without checking for the key first.
 */
export interface ServiceOutput {
  readonly type: string;
  readonly clusterIP: string | null;
  readonly port: number;
  readonly nodePort: number | null;
  readonly loadBalancerAddress: string | null;
}

/** The catalog's summaries (absent fields left out) in the stack output's shape (null for each absent field). */
export function serviceOutputs(services: Readonly<Record<string, ServiceSummary>>): Record<string, ServiceOutput> {
  return Object.fromEntries(
    Object.entries(services).map(([name, s]) => [
      name,
      {
        type: s.type,
        clusterIP: s.clusterIP ?? null,
        port: s.port,
        nodePort: s.nodePort ?? null,
        loadBalancerAddress: s.loadBalancerAddress ?? null,
      },
    ]),
  );
}

/** `http://<node-ip>:<nodePort>` on every node, for each Service that has a nodePort. */
export function nodePortUrls(
  nodes: readonly KindNode[],
  services: Readonly<Record<string, ServiceSummary>>,
): Record<string, string[]> {
  const urls: Record<string, string[]> = {};
  for (const [name, service] of Object.entries(services)) {
    if (service.nodePort !== undefined && nodes.length > 0) {
      urls[name] = nodes.map((node) => `http://${urlHost(node.internalIP)}:${service.nodePort}`);
    }
  }
  return urls;
}

/**
 * The kind port mappings as URLs on the host, keyed by the Service whose
 * nodePort each one forwards to (`nodePort-<n>` when no Service has it).
 * A mapping on 0.0.0.0 is reachable as 127.0.0.1 too, which is what is shown.
 */
export function localhostUrls(
  mappings: readonly HostPortMapping[],
  services: Readonly<Record<string, ServiceSummary>>,
): Record<string, string[]> {
  const urls: Record<string, string[]> = {};
  for (const mapping of mappings) {
    const owner = Object.entries(services).find(([, s]) => s.nodePort === mapping.nodePort)?.[0];
    const key = owner ?? `nodePort-${mapping.nodePort}`;
    const host = mapping.listenAddress === "0.0.0.0" ? "127.0.0.1" : mapping.listenAddress;
    urls[key] = [...(urls[key] ?? []), `http://${host}:${mapping.hostPort}`];
  }
  return urls;
}

/**
 * The API server's Service proxy path for each Service, as `kubectl proxy`
 * serves it on localhost:8001. https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls
 */
export function apiProxyUrls(namespace: string, serviceNames: readonly string[], portName = "http"): Record<string, string> {
  return Object.fromEntries(
    serviceNames.map((name) => [
      name,
      `http://localhost:${KUBECTL_PROXY_PORT}/api/v1/namespaces/${namespace}/services/${name}:${portName}/proxy/`,
    ]),
  );
}

/** Warnings a person must see: port mappings reachable from other machines. */
export function exposureNotes(mappings: readonly HostPortMapping[]): string[] {
  return mappings
    .filter((m) => !isLoopbackAddress(m.listenAddress))
    .map(
      (m) =>
        `WARNING: host port ${m.hostPort} listens on ${m.listenAddress}, not loopback: ` +
        `other machines on your network can reach nodePort ${m.nodePort} of the lab`,
    );
}

/**
 * The frontend calls the backend, and the default ExternalName points, at the
 * `backend` Service: without the `clusterip` kind both lead nowhere.
 */
export function serviceSelectionNotes(kinds: readonly string[]): string[] {
  if (kinds.includes("clusterip")) return [];
  return [
    'services leaves out "clusterip": there is no backend Service, so the frontend shows a DNS error for its backend call ' +
      "and backend-external (by default) is a CNAME to a name that does not exist",
  ];
}

/** What an existing cluster's network setting reads as: svclab did not choose it. */
export const SET_BY_EXISTING_CLUSTER = "set by the existing cluster (svclab verify reports the data plane it detects)";

/**
 * A kind network setting (`ipFamily`, `kubeProxyMode`) as the stack shows it:
 * the value kind was given, or, on an existing cluster, that svclab did not set it.
 */
export function networkSetting(cluster: "kind" | "existing", value: string): string {
  return cluster === "kind" ? value : SET_BY_EXISTING_CLUSTER;
}
