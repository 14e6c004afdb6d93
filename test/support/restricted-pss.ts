/**
 * Checks a pod spec against the `restricted` Pod Security Standard, field by
 * field as the standard lists them, plus svclab's own rules (read-only root
 * filesystem, requests and limits on every container).
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 *
 * Returns one sentence per violation; an empty list means the pod is admitted.
 */

const ALLOWED_VOLUME_SOURCES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const ALLOWED_ADDED_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);
const ALLOWED_SECCOMP = new Set(["RuntimeDefault", "Localhost"]);

export function restrictedViolations(podSpec: Record<string, any>): string[] {
  const problems: string[] = [];
  const pod = podSpec.securityContext ?? {};
  for (const hostField of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (podSpec[hostField] === true) problems.push(`pod: ${hostField} must not be true`);
  }
  for (const volume of podSpec.volumes ?? []) {
    const sources = Object.keys(volume).filter((k) => k !== "name");
    for (const source of sources) {
      if (!ALLOWED_VOLUME_SOURCES.has(source)) problems.push(`volume ${volume.name}: ${source} volumes are not allowed`);
    }
  }
  if (pod.runAsUser === 0) problems.push("pod: runAsUser must not be 0");

  const containers = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  if (containers.length === 0) problems.push("pod: has no containers");
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged === true) problems.push(`${at}: privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation must be false`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes("ALL")) problems.push(`${at}: capabilities must drop ALL`);
    for (const added of sc.capabilities?.add ?? []) {
      if (!ALLOWED_ADDED_CAPABILITIES.has(added)) problems.push(`${at}: capability ${added} must not be added`);
    }
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) problems.push(`${at}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!ALLOWED_SECCOMP.has(seccomp)) problems.push(`${at}: seccompProfile must be RuntimeDefault or Localhost`);
    if (sc.procMount !== undefined && sc.procMount !== "Default") problems.push(`${at}: procMount must be Default`);
    for (const port of c.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0) problems.push(`${at}: hostPort must not be set`);
    }
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem must be true`);
    for (const bound of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (c.resources?.[bound]?.[resource] === undefined) problems.push(`${at}: resources.${bound}.${resource} must be set`);
      }
    }
  }
  return problems;
}
