/**
 * Which Services the catalog creates and what each one's spec is — pure data,
 * decided from plain arguments so previews show every Service up front.
 * The names and shapes are docs/CONTRACTS.md's "Service catalog" table.
 * https://kubernetes.io/docs/concepts/services-networking/service/
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

/**
 * One kind of Service in the catalog (a string enum: `ServiceKind.NodePort`
 * or the plain string "nodeport"). docs/CONTRACTS.md names the Service each
 * kind creates.
 */
export const ServiceKind = {
  /** `backend`: a ClusterIP Service over the backend. */
  ClusterIP: "clusterip",
  /** `backend-headless`: clusterIP None, DNS answers with the ready pod IPs. */
  Headless: "headless",
  /** `frontend-nodeport`: a NodePort Service on the fixed nodePort. */
  NodePort: "nodeport",
  /** `frontend-lb`: a LoadBalancer Service. */
  LoadBalancer: "loadbalancer",
  /** `frontend-local`: a NodePort Service with externalTrafficPolicy Local. */
  EtpLocal: "etp-local",
  /** `frontend-sticky`: a ClusterIP Service with sessionAffinity ClientIP. */
  Sticky: "sticky",
  /** `frontend-internal-local`: a ClusterIP Service with internalTrafficPolicy Local. */
  ItpLocal: "itp-local",
  /** `backend-external`: an ExternalName Service (a DNS CNAME). */
  ExternalName: "externalname",
} as const;
/** One value of the ServiceKind enum. */
export type ServiceKind = (typeof ServiceKind)[keyof typeof ServiceKind];

/** Every {@link ServiceKind}, in catalog order (backend first, ExternalName last). */
export const SERVICE_KINDS: readonly ServiceKind[] = Object.values(ServiceKind);

/** The workload a Service fronts; ExternalName fronts none but names the backend. */
export type ServiceTarget = "frontend" | "backend";

/** The Service name and target of each kind (the CONTRACTS.md table). */
export const SERVICE_CATALOG: Readonly<Record<ServiceKind, { readonly name: string; readonly target: ServiceTarget }>> = {
  clusterip: { name: "backend", target: "backend" },
  headless: { name: "backend-headless", target: "backend" },
  nodeport: { name: "frontend-nodeport", target: "frontend" },
  loadbalancer: { name: "frontend-lb", target: "frontend" },
  "etp-local": { name: "frontend-local", target: "frontend" },
  sticky: { name: "frontend-sticky", target: "frontend" },
  "itp-local": { name: "frontend-internal-local", target: "frontend" },
  externalname: { name: "backend-external", target: "backend" },
};

/** The port every Service exposes. */
export const SERVICE_PORT = 80;
/** The named container port every Service forwards to. */
export const SERVICE_PORT_NAME = "http";
/** The container port behind {@link SERVICE_PORT_NAME}. */
export const SERVICE_TARGET_PORT = 3000;

/** Default nodePort of `frontend-nodeport`. */
export const DEFAULT_NODE_PORT = 30080;
/** Default nodePort of `frontend-local` (the externalTrafficPolicy Local one). */
export const DEFAULT_LOCAL_NODE_PORT = 30081;

/** What the plan is built from: the catalog's arguments with defaults resolved. */
export interface ServicePlanInput {
  readonly kinds: readonly ServiceKind[];
  readonly frontendSelector: Readonly<Record<string, string>>;
  readonly backendSelector: Readonly<Record<string, string>>;
  readonly nodePort: number;
  readonly localNodePort: number;
  readonly externalName: pulumi.Input<string>;
}

/** One Service to create. */
export interface PlannedService {
  readonly kind: ServiceKind;
  readonly name: string;
  readonly target: ServiceTarget;
  readonly spec: k8s.types.input.core.v1.ServiceSpec;
}

function httpPort(nodePort?: number): k8s.types.input.core.v1.ServicePort {
  return {
    name: SERVICE_PORT_NAME,
    protocol: "TCP",
    port: SERVICE_PORT,
    targetPort: SERVICE_TARGET_PORT,
    ...(nodePort === undefined ? {} : { nodePort }),
  };
}

function specFor(kind: ServiceKind, input: ServicePlanInput): k8s.types.input.core.v1.ServiceSpec {
  const selector = { ...(SERVICE_CATALOG[kind].target === "frontend" ? input.frontendSelector : input.backendSelector) };
  switch (kind) {
    case "clusterip":
      return { type: "ClusterIP", selector, ports: [httpPort()] };
    case "headless":
      // No virtual IP: DNS answers with the ready pods' IPs themselves.
      return { type: "ClusterIP", clusterIP: "None", selector, ports: [httpPort()] };
    case "nodeport":
      return { type: "NodePort", externalTrafficPolicy: "Cluster", selector, ports: [httpPort(input.nodePort)] };
    case "loadbalancer":
      // The nodePort is left to the API server: a LoadBalancer allocates one too.
      return { type: "LoadBalancer", externalTrafficPolicy: "Cluster", selector, ports: [httpPort()] };
    case "etp-local":
      // Only nodes with a ready local frontend pod answer, and the client IP is preserved.
      return { type: "NodePort", externalTrafficPolicy: "Local", selector, ports: [httpPort(input.localNodePort)] };
    case "sticky":
      return { type: "ClusterIP", sessionAffinity: "ClientIP", selector, ports: [httpPort()] };
    case "itp-local":
      // In-cluster clients reach only pods on their own node (or nothing).
      return { type: "ClusterIP", internalTrafficPolicy: "Local", selector, ports: [httpPort()] };
    case "externalname":
      // A DNS CNAME only: no selector, no endpoints, no proxying.
      return { type: "ExternalName", externalName: input.externalName, ports: [httpPort()] };
  }
}

/** The Services for the chosen kinds, in {@link SERVICE_KINDS} order. */
export function planServices(input: ServicePlanInput): PlannedService[] {
  return SERVICE_KINDS.filter((kind) => input.kinds.includes(kind)).map((kind) => ({
    kind,
    name: SERVICE_CATALOG[kind].name,
    target: SERVICE_CATALOG[kind].target,
    spec: specFor(kind, input),
  }));
}
