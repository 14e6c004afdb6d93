/**
 * Writes a kubeconfig for a stand-in world, the same shape `kind get kubeconfig`
 * produces but with a bearer token over plain HTTP.
 * https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

export interface KubeconfigFile {
  readonly path: string;
  /** Deletes the file and its temporary directory. */
  remove(): void;
}

/** Renders the kubeconfig text: one cluster, one user with `token`, one context (current). */
export function kubeconfigYaml(contextName: string, server: string, token: string, namespace: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    // client-node 1.x refuses plain http unless TLS verification is explicitly skipped (there is no TLS to verify).
    clusters: [{ name: contextName, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: contextName, user: { token } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, namespace } }],
    "current-context": contextName,
  });
}

/** Writes the kubeconfig into a fresh temporary directory (mode 0600, as kubectl writes it). */
export function writeKubeconfig(contextName: string, server: string, token: string, namespace: string): KubeconfigFile {
  const dir = mkdtempSync(path.join(tmpdir(), "svclab-standin-"));
  const file = path.join(dir, "kubeconfig");
  writeFileSync(file, kubeconfigYaml(contextName, server, token, namespace), { mode: 0o600 });
  return { path: file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
