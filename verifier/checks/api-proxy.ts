/**
 * API server service-proxy checks (`kubectl proxy` paths).
 */
import type { ServicePortInfo } from "../model";
import type { Probe, Target } from "../types";
import { IDENTITY_PATH, probe, endpointsFor, noEndpoints, usableEndpoints, type PlanContext } from "./context";

/** How the proxy path names a port: by name, or by number when it has none. */
function portRefOf(port: ServicePortInfo | undefined): string {
  if (port === undefined) return "80";
  return port.name === "" ? String(port.port) : port.name;
}

/** `GET /api/v1/namespaces/<ns>/services/<svc>:<port>/proxy/?backend=skip`, the path `kubectl proxy` exposes. */
function serviceProxyTarget(namespace: string, service: string, portRef: string): Target {
  return {
    kind: "api-proxy",
    label: `proxy:${portRef}`,
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${encodeURIComponent(portRef)}/proxy${IDENTITY_PATH}`,
  };
}

/** The API server's service proxy reaches an endpoint (or fails when there is none). */
export function planApiProxy({ cluster, state, options }: PlanContext): Probe[] {
  const service = state.service;
  return service.ports.map((port) => {
    const endpoints = endpointsFor(state, port);
    const terminating = endpoints.length === 0 ? usableEndpoints({ options, state }, port).terminating : [];
    return probe({
      rule: endpoints.length > 0 ? "service-via-api-proxy" : noEndpoints({ options, state }).rule,
      service: service.name,
      vantage: "api-proxy",
      target: serviceProxyTarget(cluster.namespace, service.name, portRefOf(port)),
      expect: endpoints.length > 0 ? { kind: "reach", endpoints } : { kind: "proxy-fails" },
      // The API server picks among the ready addresses of the Endpoints object, which leaves terminating pods out.
      because:
        terminating.length > 0
          ? `no ready endpoint, ${terminating.length} serving-but-terminating: the API server's service proxy uses ready endpoints only, with no fallback`
          : undefined,
    });
  });
}

/** The API server's service proxy cannot reach an ExternalName Service. */
export function planExternalNameProxy({ cluster, state }: PlanContext): Probe[] {
  const service = state.service;
  return [
    probe({
      rule: "externalname-no-proxy",
      service: service.name,
      vantage: "api-proxy",
      target: serviceProxyTarget(cluster.namespace, service.name, portRefOf(service.ports[0])),
      expect: { kind: "proxy-fails" },
    }),
  ];
}
