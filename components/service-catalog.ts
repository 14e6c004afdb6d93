/**
 * ServiceCatalog: one Service of every kind over the demo workload, each
 * exposing `port: 80 → targetPort: 3000` under the port name `http`.
 * https://kubernetes.io/docs/concepts/services-networking/service/
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { componentLabels } from "./labels";
import {
  DEFAULT_LOCAL_NODE_PORT,
  DEFAULT_NODE_PORT,
  planServices,
  SERVICE_CATALOG,
  SERVICE_KINDS,
  SERVICE_PORT,
  ServiceKind,
} from "./service-plan";
import {
  assertDns1035Label,
  assertDns1123Subdomain,
  assertNodePort,
  assertOneOf,
  assertUnique,
  InvalidInputError,
} from "./validation";

/**
 * Tells pulumi-kubernetes not to wait for a Service to become ready. A
 * LoadBalancer on a cluster with no load-balancer implementation never gets an
 * address, and `pulumi up` would otherwise wait on it for ten minutes
 * (pulumi/pulumi-kubernetes#567).
 */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

/** Arguments of {@link ServiceCatalog}. */
export interface ServiceCatalogArgs {
  /** Namespace of the Services; a DNS-1035 label when given as a plain string. */
  readonly namespace: pulumi.Input<string>;
  /** Pod labels of the frontend (DemoApp.frontendSelector); at least one label. */
  readonly frontendSelector: Readonly<Record<string, string>>;
  /** Pod labels of the backend (DemoApp.backendSelector); at least one label. */
  readonly backendSelector: Readonly<Record<string, string>>;
  /** Which Services to create, each kind at most once. @default every kind (SERVICE_KINDS) */
  readonly kinds?: readonly ServiceKind[];
  /** nodePort of `frontend-nodeport`. @default 30080, in 30000–32767 */
  readonly nodePort?: number;
  /** nodePort of `frontend-local` (externalTrafficPolicy Local). @default 30081, in 30000–32767, not nodePort */
  readonly localNodePort?: number;
  /**
   * The DNS name `backend-external` is a CNAME for.
   * @default `backend.<namespace>.svc.cluster.local`, so it resolves without internet
   */
  readonly externalName?: pulumi.Input<string>;
  /**
   * Wait for the LoadBalancer Service to get an address. Leave false unless the
   * cluster has a load-balancer implementation (cloud-provider-kind, a cloud).
   * @default false (adds `pulumi.com/skipAwait: "true"` to `frontend-lb`)
   */
  readonly awaitLoadBalancer?: boolean;
}

/** What a person or script needs to reach one Service (the stack's `services` output). */
export interface ServiceSummary {
  /** `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`. */
  readonly type: string;
  /** The virtual IP, `"None"` for headless, null for ExternalName. */
  readonly clusterIP: string | null;
  /** The Service port (80). */
  readonly port: number;
  /** The node port, null when the type opens none. */
  readonly nodePort: number | null;
  /** The load balancer's ingress IP or hostname, null until (or unless) one is assigned. */
  readonly loadBalancerAddress: string | null;
}

function assertSelector(field: string, selector: Readonly<Record<string, string>>): void {
  if (Object.keys(selector).length === 0) {
    // An empty selector selects nothing here: the Service would never get endpoints.
    throw new InvalidInputError(field, selector, `${field} must have at least one label; got {}`);
  }
}

function summarize(
  spec: k8s.types.output.core.v1.ServiceSpec | undefined,
  status: k8s.types.output.core.v1.ServiceStatus | undefined,
): ServiceSummary {
  const port = spec?.ports?.[0];
  const ingress = status?.loadBalancer?.ingress?.[0];
  return {
    type: spec?.type ?? "ClusterIP",
    clusterIP: spec?.clusterIP ?? null,
    // Every planned Service sends exactly one port; fall back to what was sent.
    port: port?.port ?? SERVICE_PORT,
    nodePort: port?.nodePort ?? null,
    loadBalancerAddress: ingress?.ip ?? ingress?.hostname ?? null,
  };
}

/**
 * The Service catalog of docs/CONTRACTS.md: ClusterIP and headless over the
 * backend; NodePort, LoadBalancer, NodePort with externalTrafficPolicy Local,
 * ClusterIP with sessionAffinity ClientIP and with internalTrafficPolicy Local
 * over the frontend; and an ExternalName.
 */
export class ServiceCatalog extends pulumi.ComponentResource {
  /** The Services created, keyed by Service name (e.g. `frontend-nodeport`). */
  readonly services: Readonly<Record<string, k8s.core.v1.Service>>;
  /** Type, clusterIP, port, nodePort and load-balancer address of every Service, by name. */
  readonly summary: pulumi.Output<Record<string, ServiceSummary>>;

  constructor(name: string, args: ServiceCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
    const kinds = args.kinds ?? SERVICE_KINDS;
    const nodePort = args.nodePort ?? DEFAULT_NODE_PORT;
    const localNodePort = args.localNodePort ?? DEFAULT_LOCAL_NODE_PORT;
    const awaitLoadBalancer = args.awaitLoadBalancer ?? false;
    if (typeof args.namespace === "string") {
      assertDns1035Label("ServiceCatalog.namespace", args.namespace);
    }
    kinds.forEach((kind, i) => assertOneOf(`ServiceCatalog.kinds[${i}]`, kind, SERVICE_KINDS));
    assertUnique(
      "Service kind",
      kinds.map((kind, i) => [`ServiceCatalog.kinds[${i}]`, kind] as const),
    );
    assertSelector("ServiceCatalog.frontendSelector", args.frontendSelector);
    assertSelector("ServiceCatalog.backendSelector", args.backendSelector);
    assertNodePort("ServiceCatalog.nodePort", nodePort);
    assertNodePort("ServiceCatalog.localNodePort", localNodePort);
    // Only a clash between two Services actually created is a conflict.
    if (kinds.includes("nodeport") && kinds.includes("etp-local")) {
      assertUnique("nodePort", [
        ["ServiceCatalog.nodePort", nodePort],
        ["ServiceCatalog.localNodePort", localNodePort],
      ]);
    }
    if (typeof args.externalName === "string") {
      assertDns1123Subdomain("ServiceCatalog.externalName", args.externalName);
    }
    super("svclab:index:ServiceCatalog", name, {}, opts);

    const plan = planServices({
      kinds,
      frontendSelector: args.frontendSelector,
      backendSelector: args.backendSelector,
      nodePort,
      localNodePort,
      externalName: args.externalName ?? pulumi.interpolate`${SERVICE_CATALOG.clusterip.name}.${args.namespace}.svc.cluster.local`,
    });

    const services: Record<string, k8s.core.v1.Service> = {};
    for (const planned of plan) {
      const skipAwait = planned.kind === "loadbalancer" && !awaitLoadBalancer;
      services[planned.name] = new k8s.core.v1.Service(
        `${name}-${planned.name}`,
        {
          metadata: {
            name: planned.name,
            namespace: args.namespace,
            labels: componentLabels(planned.target),
            ...(skipAwait ? { annotations: { [SKIP_AWAIT_ANNOTATION]: "true" } } : {}),
          },
          spec: planned.spec,
        },
        // The fixed metadata.name cannot exist twice, so a replacement deletes first.
        { parent: this, deleteBeforeReplace: true },
      );
    }
    this.services = services;

    const summaries: Record<string, pulumi.Output<ServiceSummary>> = {};
    for (const [serviceName, service] of Object.entries(services)) {
      summaries[serviceName] = pulumi.all([service.spec, service.status]).apply(([spec, status]) => summarize(spec, status));
    }
    this.summary = pulumi.output(summaries);

    this.registerOutputs({ services: this.services, summary: this.summary });
  }
}
