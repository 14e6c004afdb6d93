/** The loopback stand-in world for end-to-end tests of the verifier; see docs/standin.md. */
export { buildWorld, type World, type WorldOptions } from "./world";
export type { PodHostKind } from "./pod-host";
export { defaultWorldSpec, worldSpec, validateWorldSpec, STANDIN_LIMITS, type WorldSpec, type WorldSpecOverrides, type WorldFaults, type ServiceSpec, type NodeSpec, type WorkloadSpec, type Component, type ServiceKind } from "./spec";
export { kubeconfigYaml, writeKubeconfig } from "./kubeconfig";
export type { ApiFailure, ApiRequestCounts, ApiRequestKind } from "./fake-kube-api";
export { scaledWorldSpec, type WorldSize } from "./scaled";
export { ADDRESS_CAPACITY } from "./addresses";
export type { NodeState, PodState, ServiceState } from "./cluster-state";
export { httpProbe, type HttpProbeResult } from "./http-probe";
export { KIND_DATA_PLANE, type StandinDataPlane } from "./kube-system";
