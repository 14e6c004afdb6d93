/**
 * IP families on IPv6 and dual-stack clusters: every ClusterIP of a Service
 * (`spec.clusterIPs`), every node address of the Service's families, the
 * record type a family's addresses come back as. The primary family keeps
 * the labels single-stack clusters have always had; the other family's
 * targets carry the family in their label (`cluster-ip:ipv6:80`).
 * https://kubernetes.io/docs/concepts/services-networking/dual-stack/
 */
import type { EndpointInfo, NodeInfo, ServiceInfo } from "../model";

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

/** An endpoint's addresses in one family. */
export function endpointAddressesIn(endpoint: EndpointInfo, family: Family): string[] {
  return (endpoint.addresses ?? [endpoint.address]).filter((a) => familyOf(a) === family);
}
