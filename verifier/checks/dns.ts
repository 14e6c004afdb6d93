/**
 * Cluster DNS checks: Service names resolve inside the cluster only; headless
 * names return the ready pod IPs; ExternalName is a CNAME. Every in-cluster
 * lookup is made from the agent on every node: a node whose pods cannot reach
 * the cluster DNS must show up as that node's row.
 */
import type { Probe } from "../types";
import { clusterIPsOf, endpointAddressesIn, recordTypeOf, serviceFamilies } from "./families";
import { probe, httpTarget, dnsName, reachOrRefused, usableEndpoints, type PlanContext } from "./context";

/** The Service name: no answer outside; inside it resolves to the ClusterIP and answers on the port. */
export function planDns(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const service = state.service;
  const name = dnsName(cluster, service);
  const clusterIP = service.clusterIP;
  const port = service.ports[0];
  const probes: Probe[] = [
    probe({
      rule: "dns-not-outside",
      service: service.name,
      vantage: "outside",
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "no-resolve" },
    }),
  ];
  if (clusterIP === undefined) return probes;
  for (const from of ctx.vantagePods) {
    // One query per family: A for an IPv4 ClusterIP, AAAA for an IPv6 one (dual stack: both).
    for (const address of clusterIPsOf(service)) {
      const recordType = recordTypeOf(address.family);
      probes.push(
        probe({
          rule: "dns-resolves-in-cluster",
          service: service.name,
          vantage: "pod",
          from,
          target: { kind: "resolve", label: `dns:${name}${address.primary ? "" : `:${recordType.toLowerCase()}`}`, name, recordType },
          expect: { kind: "resolves-to", records: [address.address] },
        }),
      );
    }
    if (port !== undefined && service.internalTrafficPolicy === "Cluster") {
      probes.push(
        probe({
          service: service.name,
          vantage: "pod",
          from,
          target: httpTarget(`dns:${name}:${port.port}`, name, port.port),
          ...reachOrRefused(usableEndpoints(ctx, port), "dns-name-answers", ctx),
        }),
      );
    }
  }
  return probes;
}

/** A headless name resolves to exactly the ready endpoint addresses. */
export function planHeadlessDns(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const name = dnsName(cluster, state.service);
  // A records for the IPv4 pod addresses, AAAA for the IPv6 ones, for each family the Service has; from every node.
  return ctx.vantagePods.flatMap((from) => serviceFamilies(state.service).map((family, index) => {
    const recordType = recordTypeOf(family);
    return probe({
      rule: "headless-a-records",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}${index === 0 ? "" : `:${recordType.toLowerCase()}`}`, name, recordType },
      expect: { kind: "resolves-to", records: state.endpoints.flatMap((e) => endpointAddressesIn(e, family)) },
    });
  }));
}

/** An ExternalName Service name resolves to a CNAME naming `spec.externalName`. */
export function planCname(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const externalName = state.service.externalName;
  if (externalName === undefined) return [];
  const name = dnsName(cluster, state.service);
  return ctx.vantagePods.map((from) =>
    probe({
      rule: "externalname-cname",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}:cname`, name, recordType: "CNAME" },
      expect: { kind: "cname", name: externalName },
    }),
  );
}
