/**
 * Cluster DNS (CoreDNS's kubernetes plugin) emulated for the probe agents:
 * `<svc>.<ns>.svc.cluster.local` → the ClusterIP, headless → the ready pod
 * IPs, ExternalName → a CNAME; the pod's search path completes short names.
 * Nothing is ever forwarded to a real resolver: other names are NXDOMAIN.
 * https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 */
import type { ClusterState, ServiceState } from "./cluster-state";
import type { WorldFaults } from "./spec";

export type DnsType = "A" | "AAAA" | "CNAME" | "SRV";
export interface SrvRecord { readonly name: string; readonly port: number; readonly priority: number; readonly weight: number }
export type DnsAnswer =
  | { readonly ok: true; readonly records: readonly (string | SrvRecord)[] }
  | { readonly ok: false; readonly error: "nxdomain" | "nodata"; readonly code: "ENOTFOUND" | "ENODATA" };

const NXDOMAIN: DnsAnswer = { ok: false, error: "nxdomain", code: "ENOTFOUND" };
const NODATA: DnsAnswer = { ok: false, error: "nodata", code: "ENODATA" };
/** CNAME chains are followed at most this far (CoreDNS stops loops too). */
const MAX_CNAME_HOPS = 8;

export class ClusterDns {
  constructor(private readonly state: ClusterState, private readonly faults: WorldFaults) {}

  /**
   * Answers a query from a pod in `podNamespace`, applying the pod's search
   * path (`<ns>.svc.cluster.local svc.cluster.local cluster.local`, ndots:5).
   */
  query(name: string, type: DnsType, podNamespace: string): DnsAnswer {
    let answer: DnsAnswer = NXDOMAIN;
    for (const candidate of this.searchList(name, podNamespace)) {
      answer = this.queryExact(candidate, type, 0);
      if (answer.ok || answer.error === "nodata") return answer;
    }
    return answer;
  }

  private searchList(name: string, podNamespace: string): string[] {
    const bare = name.toLowerCase().replace(/\.$/, "");
    if (name.endsWith(".")) return [bare];
    const dots = bare.split(".").length - 1;
    const searched = [`${podNamespace}.svc.cluster.local`, "svc.cluster.local", "cluster.local"].map((domain) => `${bare}.${domain}`);
    return dots >= 5 ? [bare, ...searched] : [...searched, bare];
  }

  private queryExact(name: string, type: DnsType, hops: number): DnsAnswer {
    const srv = /^_([a-z0-9-]+)\._tcp\.(.+)$/.exec(name);
    const service = this.serviceNamed(srv ? srv[2] : name);
    if (!service) return NXDOMAIN;
    const fqdn = `${service.name}.${this.state.namespace}.svc.cluster.local`;
    if (srv) return this.srv(service, srv[1], fqdn);
    if (service.spec.kind === "ExternalName") {
      const target = (service.spec.externalName ?? "").toLowerCase().replace(/\.$/, "");
      if (type === "CNAME") return { ok: true, records: [target] };
      if (type === "SRV" || hops >= MAX_CNAME_HOPS) return NODATA;
      return this.queryExact(target, type, hops + 1);
    }
    // AAAA: a dual-stack Service's IPv6 ClusterIP, or a dual-stack headless one's ready pods' IPv6 addresses.
    if (type === "AAAA") {
      if (service.spec.dualStack !== true) return NODATA;
      if (service.spec.kind !== "Headless") return { ok: true, records: [service.clusterIPv6!] };
      const ips = this.state.readyEndpoints(service).flatMap((p) => (p.podIPv6 !== undefined ? [p.podIPv6] : []));
      return ips.length > 0 ? { ok: true, records: ips } : NODATA;
    }
    if (type !== "A") return NODATA;
    if (service.spec.kind === "Headless") {
      const ips = this.state.readyEndpoints(service).map((p) => p.podIP);
      // CoreDNS has no record for a headless Service without ready endpoints.
      return ips.length > 0 ? { ok: true, records: ips } : NXDOMAIN;
    }
    return { ok: true, records: [service.clusterIP!] };
  }

  private srv(service: ServiceState, portName: string, fqdn: string): DnsAnswer {
    if (portName !== "http" || service.spec.kind === "ExternalName") return NXDOMAIN;
    if (service.spec.kind !== "Headless") return { ok: true, records: [{ name: fqdn, port: service.port, priority: 0, weight: 100 }] };
    const records = this.state.readyEndpoints(service).map((p) => ({ name: `${p.podIP.replace(/\./g, "-")}.${fqdn}`, port: service.targetPort, priority: 0, weight: 100 }));
    return records.length > 0 ? { ok: true, records } : NXDOMAIN;
  }

  private serviceNamed(name: string): ServiceState | undefined {
    const suffix = `.${this.state.namespace}.svc.cluster.local`;
    if (!name.endsWith(suffix)) return undefined;
    const service = this.state.service(name.slice(0, -suffix.length));
    if (!service || (this.faults.dnsMissing ?? []).includes(service.name)) return undefined;
    return service;
  }
}
