/**
 * Renders the cluster state as the JSON the real API server sends: the field
 * names follow @kubernetes/client-node's models (V1Node, V1Service, V1Pod,
 * V1EndpointSlice, V1Status, V1APIVersions, V1APIGroupList).
 * https://kubernetes.io/docs/reference/kubernetes-api/
 */
import type { ClusterState, NodeState, PodState, ServiceState } from "./cluster-state";
import { selectorFor } from "./cluster-state";

/** The version a kind v0.30 node image reports. */
export const SERVER_VERSION = {
  major: "1",
  minor: "34",
  gitVersion: "v1.34.0",
  gitCommit: "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
  gitTreeState: "clean",
  buildDate: "2025-08-27T10:09:56Z",
  goVersion: "go1.24.6",
  compiler: "gc",
  platform: "linux/amd64",
};

/** A List envelope (`NodeList`, `ServiceList`, …). */
export function list(kind: string, apiVersion: string, items: unknown[], resourceVersion: string): object {
  return { kind, apiVersion, metadata: { resourceVersion }, items };
}

/** A `Status` failure body, as every API error carries. */
export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): object {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

export function nodeObject(node: NodeState): object {
  const controlPlane = node.role === "control-plane";
  return {
    metadata: {
      name: node.name,
      uid: node.uid,
      resourceVersion: "1",
      creationTimestamp: node.createdAt,
      labels: {
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        ...(controlPlane ? { "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" } : {}),
      },
    },
    spec: {
      providerID: `kind://docker/svclab/${node.name}`,
      ...(controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}),
    },
    status: {
      addresses: [
        { type: "InternalIP", address: node.ip },
        ...(node.ipv6 !== undefined ? [{ type: "InternalIP", address: node.ipv6 }] : []),
        { type: "Hostname", address: node.name },
      ],
      conditions: [
        { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available", lastHeartbeatTime: node.createdAt, lastTransitionTime: node.createdAt },
        node.notReady === undefined
          ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: node.createdAt, lastTransitionTime: node.createdAt }
          : { type: "Ready", status: "False", reason: node.notReady.reason, message: node.notReady.message, lastHeartbeatTime: node.createdAt, lastTransitionTime: node.createdAt },
      ],
      nodeInfo: {
        machineID: node.uid.replace(/-/g, ""), systemUUID: node.uid, bootID: node.uid, kernelVersion: "6.1.0", osImage: "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: "containerd://2.1.3", kubeletVersion: SERVER_VERSION.gitVersion, kubeProxyVersion: SERVER_VERSION.gitVersion,
        operatingSystem: "linux", architecture: "amd64",
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

export function serviceObject(service: ServiceState, namespace: string): object {
  const spec = service.spec;
  const type = spec.kind === "Headless" ? "ClusterIP" : spec.kind;
  const external = type === "NodePort" || type === "LoadBalancer";
  const body: Record<string, unknown> = {
    type,
    sessionAffinity: spec.sessionAffinity ?? "None",
  };
  if (type === "ExternalName") {
    body.externalName = spec.externalName;
  } else {
    body.selector = selectorFor(spec.over!);
    body.ports = [{ name: "http", protocol: "TCP", port: service.port, targetPort: service.targetPort, ...(service.nodePort !== undefined ? { nodePort: service.nodePort } : {}) }];
    body.clusterIP = service.clusterIP ?? "None";
    body.clusterIPs = [service.clusterIP ?? "None", ...(service.clusterIPv6 !== undefined ? [service.clusterIPv6] : [])];
    body.ipFamilies = spec.dualStack === true ? ["IPv4", "IPv6"] : ["IPv4"];
    body.ipFamilyPolicy = spec.dualStack === true ? "PreferDualStack" : "SingleStack";
    body.internalTrafficPolicy = spec.internalTrafficPolicy ?? "Cluster";
    if (spec.publishNotReadyAddresses === true) body.publishNotReadyAddresses = true;
    if (spec.sessionAffinity === "ClientIP") body.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
    if (external) {
      body.externalTrafficPolicy = spec.externalTrafficPolicy ?? "Cluster";
      if (type === "LoadBalancer") body.allocateLoadBalancerNodePorts = spec.allocateLoadBalancerNodePorts ?? true;
    }
  }
  return {
    metadata: { name: service.name, namespace, uid: service.uid, resourceVersion: "1", creationTimestamp: service.createdAt, labels: service.labels },
    spec: body,
    status: { loadBalancer: service.loadBalancerIP ? { ingress: [{ ip: service.loadBalancerIP, ipMode: "VIP" }] } : {} },
  };
}

export function podObject(pod: PodState, state: ClusterState): object {
  const node = state.node(pod.node);
  const ready = pod.ready ? "True" : "False";
  const owner = pod.component === "probe"
    ? { apiVersion: "apps/v1", kind: "DaemonSet", name: "probe" }
    : { apiVersion: "apps/v1", kind: "ReplicaSet", name: `${pod.component}-${pod.labels["pod-template-hash"]}` };
  return {
    metadata: {
      name: pod.name,
      generateName: pod.name.slice(0, pod.name.lastIndexOf("-") + 1),
      namespace: state.namespace,
      uid: pod.uid,
      resourceVersion: "1",
      creationTimestamp: pod.createdAt,
      labels: pod.labels,
      ownerReferences: [{ ...owner, uid: pod.uid, controller: true, blockOwnerDeletion: true }],
      // A pod being deleted: the API sets these at once; the kubelet stops it after the grace period.
      ...(pod.terminating ? { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      nodeName: pod.node,
      containers: [{
        name: pod.component === "probe" ? "probe" : pod.component,
        image: "svclab/demo:dev",
        ports: [{ name: "http", containerPort: 3000, protocol: "TCP" }],
        readinessProbe: { httpGet: { path: "/readyz", port: "http", scheme: "HTTP" }, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      }],
      ...(pod.component === "probe" ? { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] } : {}),
    },
    status: {
      phase: "Running",
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: pod.podIP,
      podIPs: [{ ip: pod.podIP }, ...(pod.podIPv6 !== undefined ? [{ ip: pod.podIPv6 }] : [])],
      startTime: pod.createdAt,
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: pod.createdAt },
        { type: "Ready", status: ready, lastTransitionTime: pod.createdAt },
        { type: "ContainersReady", status: ready, lastTransitionTime: pod.createdAt },
        { type: "PodScheduled", status: "True", lastTransitionTime: pod.createdAt },
      ],
      containerStatuses: [{
        name: pod.component === "probe" ? "probe" : pod.component,
        ready: pod.ready, started: true, restartCount: 0,
        image: "docker.io/svclab/demo:dev", imageID: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        state: { running: { startedAt: pod.createdAt } },
      }],
    },
  };
}

/**
 * The EndpointSlices the controller keeps for a small Service: one per IP
 * family of the Service (`addressType` IPv4, and IPv6 for a dual-stack one,
 * listing the pods' IPv6 addresses); none for ExternalName.
 */
export function endpointSliceObjects(service: ServiceState, state: ClusterState): object[] {
  if (service.spec.kind === "ExternalName") return [];
  const v4 = endpointSliceObject(service, state, "IPv4");
  return service.spec.dualStack === true ? [v4, endpointSliceObject(service, state, "IPv6")] : [v4];
}

function endpointSliceObject(service: ServiceState, state: ClusterState, addressType: "IPv4" | "IPv6"): object {
  // Pods without an address of the family are not in its slice, as the controller leaves them out.
  const endpoints = state.endpoints(service).flatMap((endpoint) => {
    const address = addressType === "IPv4" ? endpoint.pod.podIP : endpoint.pod.podIPv6;
    return address === undefined ? [] : [{ ...endpoint, address }];
  }).map(({ pod, ready, serving, terminating, address }) => ({
    addresses: [address],
    // A stale-endpoints fault publishes a not-ready pod as ready, and serving with it.
    conditions: { ready, serving: serving || ready, terminating },
    nodeName: pod.node,
    targetRef: { kind: "Pod", namespace: state.namespace, name: pod.name, uid: pod.uid },
  }));
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${service.name}-${addressType === "IPv4" ? service.uid.slice(0, 5) : service.uid.slice(5, 8) + "v6"}`,
      generateName: `${service.name}-`,
      namespace: state.namespace,
      uid: addressType === "IPv4" ? service.uid.split("").reverse().join("") : `${service.uid.slice(0, -4)}6666`,
      resourceVersion: "1",
      creationTimestamp: service.createdAt,
      labels: {
        ...service.labels,
        "kubernetes.io/service-name": service.name,
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        ...(service.spec.kind === "Headless" ? { "service.kubernetes.io/headless": "" } : {}),
      },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints,
    ports: [{ name: "http", port: service.targetPort, protocol: "TCP" }],
  };
}

/** The legacy core/v1 Endpoints object (ready addresses vs notReadyAddresses). */
export function endpointsObject(service: ServiceState, state: ClusterState): object | undefined {
  if (service.spec.kind === "ExternalName") return undefined;
  // The Endpoints controller leaves terminating pods out, unless publishNotReadyAddresses.
  const all = state.endpoints(service).filter((e) => !e.terminating || service.spec.publishNotReadyAddresses === true);
  const address = ({ pod }: { pod: PodState }) => ({ ip: pod.podIP, nodeName: pod.node, targetRef: { kind: "Pod", namespace: state.namespace, name: pod.name, uid: pod.uid } });
  const ready = all.filter((e) => e.ready).map(address);
  const notReady = all.filter((e) => !e.ready).map(address);
  const subset = { ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports: [{ name: "http", port: service.targetPort, protocol: "TCP" }] };
  return {
    metadata: { name: service.name, namespace: state.namespace, uid: service.uid, resourceVersion: "1", creationTimestamp: service.createdAt, labels: service.labels },
    subsets: all.length ? [subset] : [],
  };
}

/** The Secret the kit keeps the probe agents' token in (components/probe-agents.ts). */
export const PROBE_TOKEN_SECRET = "svclab-probe-token";

export function probeTokenSecretObject(namespace: string, token: string): object {
  return {
    metadata: {
      name: PROBE_TOKEN_SECRET,
      namespace,
      uid: "00000000-0000-4000-8000-00000000c0de",
      resourceVersion: "1",
      labels: { "app.kubernetes.io/part-of": "svclab", "app.kubernetes.io/component": "probe", "app.kubernetes.io/managed-by": "pulumi" },
    },
    type: "Opaque",
    data: { token: Buffer.from(token, "utf8").toString("base64") },
  };
}
