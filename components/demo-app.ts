/**
 * DemoApp: the lab's workload, a frontend and a backend Deployment of the demo
 * image, spread across the nodes, and the pod template the probe agents share.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { componentLabels, selectorLabels, WorkloadComponent } from "./labels";
import {
  demoResources,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  writableTmp,
} from "./pod-security";
import { assertDns1035Label, assertIntegerAtLeast, assertOneOf, InvalidInputError } from "./validation";

/** The port the demo container listens on (docs/CONTRACTS.md). */
export const DEMO_CONTAINER_PORT = 3000;
/** The name of that container port; every Service targets it. */
export const DEMO_PORT_NAME = "http";

/**
 * How the kubelet gets the image (a string enum: `ImagePullPolicy.Never` or
 * the plain string "Never"). `Never` suits an image loaded into the kind
 * nodes, `IfNotPresent` one pulled from a registry.
 * https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
export const ImagePullPolicy = {
  /** Pull only when the node does not have the image yet. */
  IfNotPresent: "IfNotPresent",
  /** Never pull: the image must already be on the node (loaded into kind). */
  Never: "Never",
  /** Pull on every container start. */
  Always: "Always",
} as const;
/** One value of the ImagePullPolicy enum. */
export type ImagePullPolicy = (typeof ImagePullPolicy)[keyof typeof ImagePullPolicy];
/** Every allowed {@link ImagePullPolicy}. */
export const IMAGE_PULL_POLICIES: readonly ImagePullPolicy[] = Object.values(ImagePullPolicy);

/** Checks a policy given as a plain value; one that another resource computes is checked by Kubernetes. */
export function assertImagePullPolicy(field: string, value: pulumi.Input<string>): void {
  if (typeof value === "string") {
    assertOneOf(field, value, IMAGE_PULL_POLICIES);
  }
}

/** Tolerates the taint kubeadm (and kind, when it has workers) puts on control-plane nodes. */
export const CONTROL_PLANE_TOLERATION: k8s.types.input.core.v1.Toleration = {
  key: "node-role.kubernetes.io/control-plane",
  operator: "Exists",
  effect: "NoSchedule",
};
/** The same taint under its pre-1.24 name, still found on older clusters. */
export const LEGACY_MASTER_TOLERATION: k8s.types.input.core.v1.Toleration = {
  key: "node-role.kubernetes.io/master",
  operator: "Exists",
  effect: "NoSchedule",
};

/** What differs between the pods built from the demo image. */
export interface DemoPodOptions {
  readonly role: WorkloadComponent;
  readonly image: pulumi.Input<string>;
  readonly imagePullPolicy: pulumi.Input<ImagePullPolicy>;
  readonly tolerations?: k8s.types.input.core.v1.Toleration[];
  /** Environment added after the common variables (e.g. BACKEND_URL). */
  readonly extraEnv?: k8s.types.input.core.v1.EnvVar[];
  /** Scheduling hints for a Deployment; a DaemonSet places its pods itself. */
  readonly topologySpreadConstraints?: k8s.types.input.core.v1.TopologySpreadConstraint[];
  /** Volumes added after the writable /tmp, each with its mount in the container (e.g. the probe token). */
  readonly extraVolumes?: { volume: k8s.types.input.core.v1.Volume; mount: k8s.types.input.core.v1.VolumeMount }[];
}

function fieldEnv(name: string, fieldPath: string): k8s.types.input.core.v1.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/**
 * The pod template of every demo pod: one container on port 3000 named `http`,
 * its identity through the Downward API, health probes, requests and limits and
 * the restricted Pod Security settings.
 * https://kubernetes.io/docs/concepts/workloads/pods/downward-api/
 */
export function demoPodTemplate(options: DemoPodOptions): k8s.types.input.core.v1.PodTemplateSpec {
  const tmp = writableTmp();
  return {
    metadata: { labels: componentLabels(options.role) },
    spec: {
      // The demo app never talks to the Kubernetes API, so it gets no token.
      automountServiceAccountToken: false,
      // Peers are found through DNS; Docker-link variables for every Service would only crowd the env.
      enableServiceLinks: false,
      // The app drains in well under this; the default 30 s only slows the ephemeral-pod checks.
      terminationGracePeriodSeconds: 10,
      securityContext: restrictedPodSecurityContext(),
      tolerations: options.tolerations,
      topologySpreadConstraints: options.topologySpreadConstraints,
      volumes: [tmp.volume, ...(options.extraVolumes ?? []).map((v) => v.volume)],
      containers: [
        {
          name: options.role,
          image: options.image,
          imagePullPolicy: options.imagePullPolicy,
          ports: [{ name: DEMO_PORT_NAME, containerPort: DEMO_CONTAINER_PORT, protocol: "TCP" }],
          env: [
            { name: "ROLE", value: options.role },
            { name: "PORT", value: String(DEMO_CONTAINER_PORT) },
            fieldEnv("POD_NAME", "metadata.name"),
            fieldEnv("POD_NAMESPACE", "metadata.namespace"),
            fieldEnv("NODE_NAME", "spec.nodeName"),
            fieldEnv("POD_IP", "status.podIP"),
            ...(options.extraEnv ?? []),
          ],
          // Readiness reacts within seconds, so `POST /readyz {"ready":false}` visibly empties
          // endpoints; two misses, so one slow answer under load does not.
          readinessProbe: {
            httpGet: { path: "/readyz", port: DEMO_PORT_NAME },
            periodSeconds: 2,
            timeoutSeconds: 1,
            failureThreshold: 2,
          },
          livenessProbe: {
            httpGet: { path: "/healthz", port: DEMO_PORT_NAME },
            periodSeconds: 10,
            timeoutSeconds: 2,
            failureThreshold: 3,
          },
          resources: demoResources(),
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [tmp.mount, ...(options.extraVolumes ?? []).map((v) => v.mount)],
        },
      ],
    },
  };
}

/**
 * Arguments of DemoApp. Every description is also the field's documentation
 * in the generated SDKs (docs/components-schema.md), so each one states its
 * default in words.
 */
export interface DemoAppArgs {
  /** Namespace of the Deployments; a DNS-1035 label when given as a plain string. */
  readonly namespace: pulumi.Input<string>;
  /** The demo image reference (DemoImage.imageRef, or a prebuilt image). */
  readonly image: pulumi.Input<string>;
  /**
   * How the kubelet gets the image: IfNotPresent, Never or Always
   * (DemoImage.imagePullPolicy gives the right one). Default: IfNotPresent.
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: pulumi.Input<ImagePullPolicy>;
  /** Frontend pods, an integer of at least 1. Default: 3. @default 3 */
  readonly frontendReplicas?: number;
  /** Backend pods, an integer of at least 1. Default: 2. @default 2 */
  readonly backendReplicas?: number;
  /**
   * Where the frontend calls the backend, an http:// or https:// URL.
   * Default: http://backend.<namespace>.svc.cluster.local, the `backend` ClusterIP Service.
   */
  readonly backendUrl?: pulumi.Input<string>;
}

/** Deployment names are fixed so the pods' DNS-visible names are predictable. */
export const FRONTEND_NAME = "frontend";
/** Name of the backend Deployment (and of the ClusterIP Service over it). */
export const BACKEND_NAME = "backend";

function checkHttpUrl(field: string, value: pulumi.Input<string> | undefined): void {
  if (typeof value !== "string") {
    return; // absent, or only known once another resource exists
  }
  let protocol = "";
  try {
    protocol = new URL(value).protocol;
  } catch {
    // falls through to the error below
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new InvalidInputError(field, value, `${field} must be an http:// or https:// URL; got ${JSON.stringify(value)}`);
  }
}

/**
 * The demo frontend and backend as two Deployments in one namespace.
 *
 * Pods spread across `kubernetes.io/hostname` on the worker nodes and stay off
 * the tainted control plane (only the probe agents tolerate it). That placement
 * is what makes the lab teach: the control plane runs no frontend pod, so a
 * plain NodePort still answers there (kube-proxy forwards to another node)
 * while the `externalTrafficPolicy: Local` one does not, and a pod on the
 * control plane gets no answer from the `internalTrafficPolicy: Local` Service.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export class DemoApp extends pulumi.ComponentResource {
  /** Pod labels a Service selects frontend pods by (plain, so a catalog can use it at once). */
  readonly frontendSelector: Readonly<Record<string, string>>;
  /** Pod labels a Service selects backend pods by. */
  readonly backendSelector: Readonly<Record<string, string>>;
  /** The `frontend` Deployment. */
  readonly frontend: k8s.apps.v1.Deployment;
  /** The `backend` Deployment. */
  readonly backend: k8s.apps.v1.Deployment;

  constructor(name: string, args: DemoAppArgs, opts?: pulumi.ComponentResourceOptions) {
    const imagePullPolicy = args.imagePullPolicy ?? "IfNotPresent";
    const frontendReplicas = args.frontendReplicas ?? 3;
    const backendReplicas = args.backendReplicas ?? 2;
    if (typeof args.namespace === "string") {
      assertDns1035Label("DemoApp.namespace", args.namespace);
    }
    assertImagePullPolicy("DemoApp.imagePullPolicy", imagePullPolicy);
    assertIntegerAtLeast("DemoApp.frontendReplicas", frontendReplicas, 1);
    assertIntegerAtLeast("DemoApp.backendReplicas", backendReplicas, 1);
    checkHttpUrl("DemoApp.backendUrl", args.backendUrl);
    super("svclab:index:DemoApp", name, {}, opts);

    const backendUrl = args.backendUrl ?? pulumi.interpolate`http://${BACKEND_NAME}.${args.namespace}.svc.cluster.local`;
    this.frontendSelector = selectorLabels("frontend");
    this.backendSelector = selectorLabels("backend");

    const deployment = (
      role: "frontend" | "backend",
      replicas: number,
      extraEnv: k8s.types.input.core.v1.EnvVar[],
    ): k8s.apps.v1.Deployment => {
      const selector = selectorLabels(role);
      return new k8s.apps.v1.Deployment(
        `${name}-${role}`,
        {
          metadata: { name: role, namespace: args.namespace, labels: componentLabels(role) },
          spec: {
            replicas,
            selector: { matchLabels: selector },
            template: demoPodTemplate({
              role,
              image: args.image,
              imagePullPolicy,
              extraEnv,
              // ScheduleAnyway: spreading is a preference, a lone node must still run the lab.
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: selector },
                },
              ],
            }),
          },
        },
        // The fixed metadata.name cannot exist twice, so a replacement deletes first.
        { parent: this, deleteBeforeReplace: true },
      );
    };

    this.backend = deployment("backend", backendReplicas, []);
    this.frontend = deployment("frontend", frontendReplicas, [{ name: "BACKEND_URL", value: backendUrl }]);

    this.registerOutputs({
      frontend: this.frontend,
      backend: this.backend,
      frontendSelector: this.frontendSelector,
      backendSelector: this.backendSelector,
    });
  }
}
