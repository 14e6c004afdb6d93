/** The public API of svclab's Pulumi components: one file per component. */
export * from "./labels";
export * from "./validation";
export * from "./pod-security";
export * from "./lab-namespace";
export * from "./demo-app";
export * from "./service-plan";
export * from "./service-catalog";
export * from "./probe-agents";
export * from "./kind-config";
export * from "./kind-scripts";
export * from "./kind-cluster";
export * from "./load-balancer-support";
export * from "./demo-image";
export * from "./demo-app-dir";
export * from "./existing-cluster";
export * from "./kubeconfig-context";
export * from "./source-hash";
