/**
 * API server service-proxy checks (`kubectl proxy` paths).
 */
import type { Probe } from "../types";
import { probe, endpointsFor, type PlanContext } from "./context";

/** The API server's service proxy reaches an endpoint (or fails when there is none). */
export function planApiProxy({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  return service.ports.map((port) => {
    const portRef = port.name === "" ? String(port.port) : port.name;
    const endpoints = endpointsFor(state, port);
    return probe({
      rule: endpoints.length > 0 ? "service-via-api-proxy" : "no-endpoints-refuse",
      service: service.name,
      vantage: "api-proxy",
      target: {
        kind: "api-proxy",
        label: `proxy:${portRef}`,
        path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(portRef)}/proxy/`,
      },
      expect: endpoints.length > 0 ? { kind: "reach", endpoints } : { kind: "proxy-fails" },
    });
  });
}

/** The API server's service proxy cannot reach an ExternalName Service. */
export function planExternalNameProxy({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  const portRef = service.ports[0] === undefined ? "80" : service.ports[0].name === "" ? String(service.ports[0].port) : service.ports[0].name;
  return [
    probe({
      rule: "externalname-no-proxy",
      service: service.name,
      vantage: "api-proxy",
      target: {
        kind: "api-proxy",
        label: `proxy:${portRef}`,
        path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(portRef)}/proxy/`,
      },
      expect: { kind: "proxy-fails" },
    }),
  ];
}
