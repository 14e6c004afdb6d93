/**
 * The verifier's discovered cluster as the objects `svclab explain` names
 * addresses with, so a run explains with the very Services, endpoints and
 * pods it probed, without listing them from the API a second time.
 */
import type { Cluster } from "../model";
import type { ClusterObjects, EndpointSliceObject, PodObject, ServiceObject } from "./objects";

/** A Service as the explain library reads it. */
function serviceObject(namespace: string, state: Cluster["services"][number]): ServiceObject {
  const s = state.service;
  return {
    metadata: { name: s.name, namespace },
    spec: {
      type: s.type,
      ...(s.clusterIP !== undefined ? { clusterIP: s.clusterIP } : {}),
      ...(s.ipFamilies !== undefined ? { ipFamilies: s.ipFamilies } : {}),
      ...(s.externalName !== undefined ? { externalName: s.externalName } : {}),
      ...(s.selector !== undefined ? { selector: s.selector } : {}),
      ports: s.ports.map((p) => ({
        ...(p.name !== "" ? { name: p.name } : {}),
        port: p.port,
        protocol: p.protocol,
        targetPort: p.targetPort,
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      })),
      sessionAffinity: s.sessionAffinity,
      externalTrafficPolicy: s.externalTrafficPolicy,
      internalTrafficPolicy: s.internalTrafficPolicy,
    },
    status: { loadBalancer: { ingress: s.loadBalancerIngress.map((address) => (/^[\d.:a-fA-F]+$/.test(address) ? { ip: address } : { hostname: address })) } },
  };
}

/**
 * One EndpointSlice per Service: its ready endpoints, and the pods its
 * selector matches that are not among them as `ready: false` (as the
 * EndpointSlice controller lists them), so the explanation can say which
 * pods no rule sends traffic to.
 */
function sliceObject(namespace: string, state: Cluster["services"][number]): EndpointSliceObject {
  const ready = state.endpoints.map((e) => ({
    addresses: [...(e.addresses ?? [e.address])],
    conditions: { ready: true },
    ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
    ...(e.podName !== undefined ? { targetRef: { kind: "Pod", name: e.podName } } : {}),
  }));
  const readyPods = new Set(state.endpoints.map((e) => e.podName));
  const notReady = state.pods
    .filter((p) => !readyPods.has(p.name) && p.podIP !== undefined)
    .map((p) => ({
      addresses: [p.podIP as string],
      conditions: { ready: false },
      ...(p.nodeName !== undefined ? { nodeName: p.nodeName } : {}),
      targetRef: { kind: "Pod", name: p.name },
    }));
  return {
    metadata: { name: `${state.service.name}-discovered`, namespace, labels: { "kubernetes.io/service-name": state.service.name } },
    endpoints: [...ready, ...notReady],
  };
}

/** The cluster's Services, endpoints and pods as explain's objects; `origin` says they came from this run's discovery. */
export function objectsFromCluster(cluster: Cluster): ClusterObjects {
  const pods = new Map<string, PodObject>();
  for (const state of cluster.services) {
    for (const pod of state.pods) {
      if (pods.has(pod.name)) continue;
      pods.set(pod.name, {
        metadata: { name: pod.name, namespace: cluster.namespace },
        ...(pod.nodeName !== undefined ? { spec: { nodeName: pod.nodeName } } : {}),
        ...(pod.podIP !== undefined ? { status: { podIP: pod.podIP } } : {}),
      });
    }
  }
  return {
    origin: `this run's discovery (context ${cluster.context})`,
    services: cluster.services.map((s) => serviceObject(cluster.namespace, s)),
    slices: cluster.services.map((s) => sliceObject(cluster.namespace, s)),
    pods: [...pods.values()],
    nodes: cluster.nodes.map((n) => n.name),
  };
}
