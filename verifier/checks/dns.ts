/**
 * Cluster DNS checks: Service names resolve inside the cluster only; headless
 * names return the ready pod IPs; ExternalName is a CNAME.
 */
import type { Probe } from "../types";
import { probe, httpTarget, endpointsFor, dnsName, firstVantage, reachOrRefused, type PlanContext } from "./context";

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
  const from = firstVantage(ctx);
  if (from === undefined || clusterIP === undefined) return probes;
  probes.push(
    probe({
      rule: "dns-resolves-in-cluster",
      service: service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "resolves-to", records: [clusterIP] },
    }),
  );
  if (port !== undefined && service.internalTrafficPolicy === "Cluster") {
    probes.push(
      probe({
        service: service.name,
        vantage: "pod",
        from,
        target: httpTarget(`dns:${name}:${port.port}`, name, port.port),
        ...reachOrRefused(endpointsFor(state, port), "dns-name-answers", ctx),
      }),
    );
  }
  return probes;
}

/** A headless name resolves to exactly the ready endpoint addresses. */
export function planHeadlessDns(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const name = dnsName(cluster, state.service);
  const from = firstVantage(ctx);
  if (from === undefined) return [];
  return [
    probe({
      rule: "headless-a-records",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}`, name, recordType: "A" },
      expect: { kind: "resolves-to", records: state.endpoints.map((e) => e.address) },
    }),
  ];
}

/** An ExternalName Service name resolves to a CNAME naming `spec.externalName`. */
export function planCname(ctx: PlanContext): Probe[] {
  const { cluster, state } = ctx;
  const from = firstVantage(ctx);
  const externalName = state.service.externalName;
  if (from === undefined || externalName === undefined) return [];
  const name = dnsName(cluster, state.service);
  return [
    probe({
      rule: "externalname-cname",
      service: state.service.name,
      vantage: "pod",
      from,
      target: { kind: "resolve", label: `dns:${name}:cname`, name, recordType: "CNAME" },
      expect: { kind: "cname", name: externalName },
    }),
  ];
}
