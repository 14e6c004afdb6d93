/**
 * The lab, wired from a validated config: a cluster (kind or existing), the
 * demo image, load-balancer support, the namespace, the demo workload, the
 * Service catalog and the probe agents. Returns the stack outputs; the entry
 * module (index.ts) exports them. Kept apart from index.ts so tests can run
 * it with any config.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import {
  DemoApp,
  DemoImage,
  ExistingCluster,
  KindCluster,
  KindNode,
  LabNamespace,
  LoadBalancerSupport,
  PortMappingNode,
  ProbeAgents,
  ServiceCatalog,
} from "../components";
import type { LabConfig } from "./config";
import {
  apiProxyUrls,
  exposureNotes,
  localhostUrls,
  networkSetting,
  nodePortUrls,
  ServiceOutput,
  serviceOutputs,
  serviceSelectionNotes,
} from "./outputs";

/** The demo workload's source, beside stacks/. */
export const APPS_DIR = resolve(__dirname, "..", "apps");

/** The flat stack outputs of docs/CONTRACTS.md. */
export interface LabOutputs {
  readonly clusterMode: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  /** Secret. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodes: pulumi.Output<KindNode[]>;
  readonly services: pulumi.Output<Record<string, ServiceOutput>>;
  readonly nodePortUrls: pulumi.Output<Record<string, string[]>>;
  readonly localhostUrls: pulumi.Output<Record<string, string[]>>;
  readonly apiProxyUrls: pulumi.Output<Record<string, string>>;
  readonly loadBalancer: pulumi.Output<string>;
  /** The kind cluster's IP families, or what an existing cluster leaves unknown. */
  readonly ipFamily: pulumi.Output<string>;
  /** The kind cluster's kube-proxy mode, or what an existing cluster leaves unknown. */
  readonly kubeProxyMode: pulumi.Output<string>;
  readonly notes: pulumi.Output<string[]>;
}

export interface LabOptions {
  /** Directory holding the demo workload's Dockerfile. @default APPS_DIR */
  readonly appsDir?: string;
}

/** What `loadBalancer` says when LoadBalancer Services will get no address from svclab. */
export const NO_LB_IN_KIND = 'none: LoadBalancer Services are not awaited and get no address (loadBalancer is "none")';
export const NO_LB_IN_EXISTING =
  "none: LoadBalancer Services are not awaited; svclab runs no load-balancer implementation on an existing cluster, " +
  "so they get an address only if the cluster has one of its own";

interface ClusterParts {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly nodes: pulumi.Output<KindNode[]>;
  readonly image: DemoImage;
  readonly loadBalancer?: LoadBalancerSupport;
  readonly notes: string[];
}

function kindParts(config: LabConfig, appsDir: string): ClusterParts {
  const cluster = new KindCluster("svclab-cluster", {
    clusterName: config.clusterName,
    workers: config.workers,
    nodeImage: config.nodeImage,
    ipFamily: config.ipFamily,
    kubeProxyMode: config.kubeProxyMode,
    podSubnet: config.podSubnet,
    serviceSubnet: config.serviceSubnet,
    portMappings: config.hostPorts.map((m) => ({
      containerPort: m.nodePort,
      hostPort: m.hostPort,
      listenAddress: m.listenAddress,
      node: portMappingNode(config, m.nodePort),
    })),
  });
  const loadBalancer =
    config.loadBalancer === "cloud-provider-kind"
      ? new LoadBalancerSupport(
          "svclab-lb",
          { clusterName: config.clusterName, clusterInstanceId: cluster.instanceId },
          { dependsOn: [cluster] },
        )
      : undefined;
  const image = new DemoImage("svclab-image", {
    context: appsDir,
    clusterName: cluster.clusterName,
    clusterInstanceId: cluster.instanceId,
    prebuiltImage: config.image,
  });
  return {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.clusterName,
    nodes: cluster.nodes,
    image,
    loadBalancer,
    notes: exposureNotes(config.hostPorts),
  };
}

function existingParts(config: LabConfig, appsDir: string): ClusterParts {
  // loadConfig guarantees both in existing mode.
  const kubeconfig = config.kubeconfig ?? "";
  const context = config.kubeContext ?? "";
  const cluster = new ExistingCluster("svclab-cluster", { kubeconfig, context });
  // loadConfig requires a pullable image in existing mode: nothing is built here.
  const image = new DemoImage("svclab-image", { context: appsDir, prebuiltImage: config.image });
  const notes = [
    `nodes are not listed for an existing cluster; see them with kubectl --context ${context} get nodes -o wide`,
  ];
  return {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    clusterName: pulumi.output(context),
    nodes: pulumi.output<KindNode[]>([]),
    image,
    notes,
  };
}

/**
 * Where a host port is published: frontend-local's node port from the first
 * worker, since with externalTrafficPolicy Local only a node running a
 * frontend pod answers and the control-plane runs none; every other node port
 * answers on any node, so from the control-plane.
 */
export function portMappingNode(config: Pick<LabConfig, "services" | "localNodePort">, nodePort: number): PortMappingNode {
  return config.services.includes("etp-local") && nodePort === config.localNodePort ? "first-worker" : "control-plane";
}

/** Creates the whole lab from `config` and returns its stack outputs. */
export function createLab(config: LabConfig, options: LabOptions = {}): LabOutputs {
  const appsDir = options.appsDir ?? APPS_DIR;
  const parts = config.cluster === "kind" ? kindParts(config, appsDir) : existingParts(config, appsDir);
  const inCluster = { providers: [parts.provider] };

  const namespace = new LabNamespace("svclab-namespace", { name: config.namespace }, inCluster);
  const app = new DemoApp(
    "svclab-app",
    {
      namespace: namespace.name,
      image: parts.image.imageRef,
      imagePullPolicy: parts.image.imagePullPolicy,
      frontendReplicas: config.frontendReplicas,
      backendReplicas: config.backendReplicas,
    },
    inCluster,
  );
  const catalog = new ServiceCatalog(
    "svclab-services",
    {
      namespace: namespace.name,
      frontendSelector: app.frontendSelector,
      backendSelector: app.backendSelector,
      kinds: [...config.services],
      nodePort: config.nodePort,
      localNodePort: config.localNodePort,
      externalName: config.externalName,
      // Only wait for an address that can come.
      awaitLoadBalancer: parts.loadBalancer !== undefined,
    },
    { ...inCluster, dependsOn: parts.loadBalancer === undefined ? [] : [parts.loadBalancer] },
  );
  new ProbeAgents(
    "svclab-probes",
    { namespace: namespace.name, image: parts.image.imageRef, imagePullPolicy: parts.image.imagePullPolicy },
    inCluster,
  );

  const notes = [...parts.notes, ...serviceSelectionNotes(config.services)];
  for (const note of notes) {
    pulumi.log.warn(note);
  }
  const loadBalancer =
    parts.loadBalancer?.implementation ?? pulumi.output(config.cluster === "kind" ? NO_LB_IN_KIND : NO_LB_IN_EXISTING);
  const serviceNames = Object.keys(catalog.services);
  return {
    clusterMode: pulumi.output(config.cluster),
    clusterName: parts.clusterName,
    namespace: namespace.name,
    kubeconfig: pulumi.secret(parts.kubeconfig),
    nodes: parts.nodes,
    services: catalog.summary.apply(serviceOutputs),
    nodePortUrls: pulumi.all([parts.nodes, catalog.summary]).apply(([nodes, services]) => nodePortUrls(nodes, services)),
    localhostUrls:
      config.cluster === "kind"
        ? catalog.summary.apply((services) => localhostUrls(config.hostPorts, services))
        : pulumi.output<Record<string, string[]>>({}),
    apiProxyUrls: namespace.name.apply((ns) => apiProxyUrls(ns, serviceNames)),
    loadBalancer,
    ipFamily: pulumi.output(networkSetting(config.cluster, config.ipFamily)),
    kubeProxyMode: pulumi.output(networkSetting(config.cluster, config.kubeProxyMode)),
    notes: pulumi.output(notes),
  };
}
