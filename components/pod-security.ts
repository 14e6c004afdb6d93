/**
 * The settings every svclab pod runs with so it is admitted under the
 * `restricted` Pod Security Standard:
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import type * as k8s from "@pulumi/kubernetes";

/** UID and GID of the distroless `nonroot` user the demo image runs as. */
export const NONROOT_UID = 65532;

/** Requests and limits of one demo container: small, so a laptop kind cluster holds the whole lab. */
export const DEMO_RESOURCES = {
  requests: { cpu: "25m", memory: "48Mi" },
  limits: { cpu: "250m", memory: "128Mi" },
} as const;

/** Where the read-only root filesystem gets its one writable directory. */
export const TMP_MOUNT_PATH = "/tmp";
const TMP_VOLUME = "tmp";

/** Pod-level securityContext: non-root user, the runtime's default seccomp profile. */
export function restrictedPodSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NONROOT_UID,
    runAsGroup: NONROOT_UID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level securityContext: no privilege escalation, no capabilities, read-only root. */
export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NONROOT_UID,
    runAsGroup: NONROOT_UID,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Requests and limits for one demo container (a fresh copy each call, safe to mutate). */
export function demoResources(): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { ...DEMO_RESOURCES.requests },
    limits: { ...DEMO_RESOURCES.limits },
  };
}

/**
 * A small memory-backed `/tmp`: the root filesystem is read-only, and Node or a
 * library may still want a scratch file. emptyDir is allowed under `restricted`.
 */
export function writableTmp(): {
  volume: k8s.types.input.core.v1.Volume;
  mount: k8s.types.input.core.v1.VolumeMount;
} {
  return {
    volume: { name: TMP_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
    mount: { name: TMP_VOLUME, mountPath: TMP_MOUNT_PATH },
  };
}
