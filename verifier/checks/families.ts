/**
 * IP families on IPv6 and dual-stack clusters: every ClusterIP of a Service
 * (`spec.clusterIPs`), every node address of the Service's families, the
 * record type a family's addresses come back as. The primary family keeps
 * the labels single-stack clusters have always had; the other family's
 * targets carry the family in their label (`cluster-ip:ipv6:80`).
 * https://kubernetes.io/docs/concepts/services-networking/dual-stack/
 */
import type { EndpointInfo, NodeInfo, PodInfo, ServiceInfo, ServiceState } from "../model";

export type Family = "IPv4" | "IPv6";

/** An address of one family; `primary` when it is in the Service's primary family. */
export interface FamilyAddress {
  readonly address: string;
  readonly family: Family;
  readonly primary: boolean;
}

/** The family of an address. */
export function familyOf(address: string): Family {
  return address.includes(":") ? "IPv6" : "IPv4";
}

/** A Service's primary family: the first of `spec.ipFamilies`, else its ClusterIP's, else IPv4. */
export function primaryFamily(service: ServiceInfo): Family {
  const clusterIP = service.clusterIP !== undefined && service.clusterIP !== "None" ? service.clusterIP : undefined;
  return service.ipFamilies?.[0] ?? (clusterIP !== undefined ? familyOf(clusterIP) : "IPv4");
}

/** The Service's families, primary first. */
export function serviceFamilies(service: ServiceInfo): Family[] {
  if (service.ipFamilies !== undefined && service.ipFamilies.length > 0) return [...service.ipFamilies];
  const fromIPs = [...new Set((service.clusterIPs ?? []).map(familyOf))];
  return fromIPs.length > 0 ? fromIPs : [primaryFamily(service)];
}

/** Every ClusterIP of a Service, primary first; none for headless and ExternalName. */
export function clusterIPsOf(service: ServiceInfo): FamilyAddress[] {
  if (service.clusterIP === undefined || service.headless) return [];
  const all = service.clusterIPs ?? [service.clusterIP];
  return all.map((address, index) => ({ address, family: familyOf(address), primary: index === 0 }));
}

/**
 * A node's addresses in the Service's families (a single-stack Service's node
 * port is not open on the node's address of the other family). The one in the
 * primary family is `primary`; a node with no address of the Service's
 * families keeps its InternalIP, as on a single-stack cluster.
 */
export function nodeAddressesFor(node: NodeInfo, service: ServiceInfo): FamilyAddress[] {
  const all = node.internalIPs ?? (node.internalIP !== undefined ? [node.internalIP] : []);
  const families = serviceFamilies(service);
  const matching = all.filter((a) => families.includes(familyOf(a)));
  if (matching.length === 0) return node.internalIP === undefined ? [] : [{ address: node.internalIP, family: familyOf(node.internalIP), primary: true }];
  const primary = families[0] as Family;
  const first = matching.find((a) => familyOf(a) === primary) ?? (matching[0] as string);
  return [first, ...matching.filter((a) => a !== first)].map((address, index) => ({ address, family: familyOf(address), primary: index === 0 }));
}

/** The label part naming a non-primary family: `""` or `ipv6:` / `ipv4:`. */
export function familyPart(address: FamilyAddress): string {
  return address.primary ? "" : `${address.family.toLowerCase()}:`;
}

/** The DNS record type a family's addresses are: A or AAAA. */
export function recordTypeOf(family: Family): "A" | "AAAA" {
  return family === "IPv4" ? "A" : "AAAA";
}

/** An endpoint's addresses in one family (what that family's EndpointSlice lists for it). */
export function endpointAddressesIn(endpoint: EndpointInfo, family: Family): string[] {
  return (endpoint.addresses ?? [endpoint.address]).filter((a) => familyOf(a) === family);
}

/** A pod's addresses: `status.podIPs` (one per family on a dual-stack pod), else its `podIP`. */
export function podAddresses(pod: PodInfo): string[] {
  return [...(pod.podIPs ?? (pod.podIP !== undefined ? [pod.podIP] : []))];
}

/** A family a Service's endpoints are probed in; `primary` keeps the labels single-stack clusters have always had. */
export interface EndpointFamily {
  readonly family: Family;
  readonly primary: boolean;
}

/**
 * The families a Service's endpoints come in, primary first: one
 * EndpointSlice per family (`addressType` IPv4, IPv6). They are the Service's
 * families, plus any family its endpoints have addresses in. The primary is
 * the Service's; a Service that states none (no `ipFamilies`, no ClusterIP:
 * a headless one read from an old API server) takes its first endpoint's.
 */
export function endpointFamilies(state: ServiceState): EndpointFamily[] {
  const service = state.service;
  const stated = (service.ipFamilies?.length ?? 0) > 0 || (service.clusterIP !== undefined && service.clusterIP !== "None");
  const first = state.endpoints[0];
  const primary = stated || first === undefined ? primaryFamily(service) : familyOf(first.address);
  const seen = state.endpoints.flatMap((e) => (e.addresses ?? [e.address]).map(familyOf));
  const families = [...new Set<Family>([primary, ...(stated ? serviceFamilies(service) : []), ...seen])];
  return families.map((family) => ({ family, primary: family === primary }));
}
