/**
 * A Pulumi program that uses svclab as a library, composed differently from
 * svclab's own lab: a 3-worker kind cluster whose demo frontend is exposed
 * only at the edge, through a NodePort and a LoadBalancer Service, while the
 * backend stays internal behind its ClusterIP Service (no headless,
 * ExternalName, traffic-policy or affinity variants). svclab's probe agents
 * run on every node, so `verify.ts` can prove who reaches what.
 */
import * as pulumi from "@pulumi/pulumi";
import * as svclab from "svclab";

const config = new pulumi.Config();
const clusterName = config.get("clusterName") ?? "svclab-edge";
const workers = config.getNumber("workers", { min: 1 }) ?? 3;
const nodePort = config.getNumber("nodePort", { min: 30000, max: 32767 }) ?? 30090;

// The cluster, with the NodePort also published on 127.0.0.1 of this machine
// (the only way to reach it on Docker Desktop).
const cluster = new svclab.KindCluster("edge-cluster", {
  clusterName,
  workers,
  portMappings: [{ containerPort: nodePort, hostPort: nodePort }],
});

// cloud-provider-kind gives the LoadBalancer Service an address.
const loadBalancer = new svclab.LoadBalancerSupport(
  "edge-lb",
  { clusterName, clusterInstanceId: cluster.instanceId },
  { dependsOn: [cluster] },
);

// The demo image, built from the apps/ shipped with svclab and loaded into the nodes.
const image = new svclab.DemoImage("edge-image", {
  clusterName: cluster.clusterName,
  clusterInstanceId: cluster.instanceId,
});

// Everything inside the cluster goes through the cluster's own provider.
const inCluster = { providers: [cluster.provider] };
const labNamespace = new svclab.LabNamespace("edge-namespace", { name: "edge" }, inCluster);
const app = new svclab.DemoApp(
  "edge-app",
  {
    namespace: labNamespace.name,
    image: image.imageRef,
    imagePullPolicy: image.imagePullPolicy,
    // One frontend pod per worker, so every worker has a local endpoint.
    frontendReplicas: workers,
    backendReplicas: 1,
  },
  inCluster,
);
const catalog = new svclab.ServiceCatalog(
  "edge-services",
  {
    namespace: labNamespace.name,
    frontendSelector: app.frontendSelector,
    backendSelector: app.backendSelector,
    // The backend's ClusterIP Service is what the frontend calls; only the frontend is exposed.
    kinds: ["clusterip", "nodeport", "loadbalancer"],
    nodePort,
    awaitLoadBalancer: true,
  },
  { ...inCluster, dependsOn: [loadBalancer] },
);
new svclab.ProbeAgents(
  "edge-probes",
  { namespace: labNamespace.name, image: image.imageRef, imagePullPolicy: image.imagePullPolicy },
  inCluster,
);

/** The kubeconfig context kind wrote for the cluster; `verify.ts` and `svclab verify --context` use it. */
export const kubeContext = pulumi.interpolate`kind-${cluster.clusterName}`;
export const namespace = labNamespace.name;
export const kubeconfig = cluster.kubeconfig;
export const nodes = cluster.nodes;
/** Each Service's type, cluster IP, port, nodePort and load-balancer address. */
export const services = catalog.summary;
