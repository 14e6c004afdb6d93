/**
 * ServiceCatalog: one Service of every kind over the demo workload, each
 * exposing `port: 80 → targetPort: 3000` under the port name `http`.
 * https://kubernetes.io/docs/concepts/services-networking/service/
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { componentLabels, selectorLabels } from "./labels";
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

/**
 * Arguments of ServiceCatalog. Every description is also the field's
 * documentation in the generated SDKs, so each one states its default in words.
 */
export interface ServiceCatalogArgs {
  /** Namespace of the Services; a DNS-1035 label when given as a plain string. */
  readonly namespace: pulumi.Input<string>;
  /**
   * Pod labels of the frontend, at least one label. Default: the labels of
   * DemoApp's frontend pods (DemoApp.frontendSelector).
   */
  readonly frontendSelector?: Readonly<Record<string, string>>;
  /**
   * Pod labels of the backend, at least one label. Default: the labels of
   * DemoApp's backend pods (DemoApp.backendSelector).
   */
  readonly backendSelector?: Readonly<Record<string, string>>;
  /** Which Services to create, each kind at most once. Default: every kind. */
  readonly kinds?: ServiceKind[];
  /** nodePort of `frontend-nodeport`, in 30000-32767. Default: 30080. @default 30080 */
  readonly nodePort?: number;
  /**
   * nodePort of `frontend-local` (externalTrafficPolicy Local), in
   * 30000-32767 and not nodePort. Default: 30081.
   * @default 30081
   */
  readonly localNodePort?: number;
  /**
   * The DNS name `backend-external` is a CNAME for. Default:
   * backend.<namespace>.svc.cluster.local, so it resolves without internet.
   */
  readonly externalName?: pulumi.Input<string>;
  /**
   * Wait for the LoadBalancer Service to get an address. Leave false unless the
   * cluster has a load-balancer implementation (cloud-provider-kind, a cloud).
   * Default: false, which adds `pulumi.com/skipAwait: "true"` to `frontend-lb`.
   * @default false
   */
  readonly awaitLoadBalancer?: boolean;
}

/** What a person or script needs to reach one Service (the stack's `services` output). */
export interface ServiceSummary {
  /** The Service type: ClusterIP, NodePort, LoadBalancer or ExternalName. */
  readonly type: string;
  /** The virtual IP, "None" for headless; absent for ExternalName. */
  readonly clusterIP?: string;
  /** The Service port (80). */
  readonly port: number;
  /** The node port; absent when the type opens none. */
  readonly nodePort?: number;
  /** The load balancer's ingress IP or hostname; absent until (or unless) one is assigned. */
  readonly loadBalancerAddress?: string;
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
  const loadBalancerAddress = ingress?.ip ?? ingress?.hostname;
  // Absent fields are left out, not set to undefined, so the summary is the same JSON everywhere.
  return {
    type: spec?.type ?? "ClusterIP",
    ...(spec?.clusterIP ? { clusterIP: spec.clusterIP } : {}),
    // Every planned Service sends exactly one port; fall back to what was sent.
    port: port?.port ?? SERVICE_PORT,
    ...(port?.nodePort ? { nodePort: port.nodePort } : {}),
    ...(loadBalancerAddress ? { loadBalancerAddress } : {}),
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
    const frontendSelector = args.frontendSelector ?? selectorLabels("frontend");
    const backendSelector = args.backendSelector ?? selectorLabels("backend");
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
    assertSelector("ServiceCatalog.frontendSelector", frontendSelector);
    assertSelector("ServiceCatalog.backendSelector", backendSelector);
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
      frontendSelector,
      backendSelector,
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
