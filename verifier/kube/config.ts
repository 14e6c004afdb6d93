/**
 * Loads a kubeconfig the way kubectl resolves it: an explicit file, else
 * `$KUBECONFIG`, else `~/.kube/config` (else in-cluster), then an optional
 * context override.
 */
import * as fs from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { KubeApiError, VerifyOptionError } from "../errors";
import { kubeconfigCandidates, kubeconfigFileProblem, noCurrentContextProblem } from "./kubeconfig-problems";

/** A loaded kubeconfig and where it points. */
export interface KubeTarget {
  readonly kc: k8s.KubeConfig;
  readonly context: string;
  readonly server: string;
}

/**
 * @param kubeconfig path to a kubeconfig file; default as kubectl resolves it
 * @param context context to use; default the file's `current-context`
 * @throws KubeApiError when the file, the context or its cluster is missing
 */
export function loadKubeTarget(kubeconfig?: string, context?: string): KubeTarget {
  const fileProblem = kubeconfigFileProblem(kubeconfig);
  if (fileProblem !== undefined) {
    throw new VerifyOptionError("--kubeconfig", kubeconfig ?? "", "", fileProblem);
  }
  const kc = new k8s.KubeConfig();
  try {
    if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeApiError(`load kubeconfig ${kubeconfig ?? "(default)"}`, undefined, (err as Error).message);
  }
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeApiError(`use context ${context}`, undefined, `no such context; the kubeconfig has: ${known.join(", ") || "none"}`);
    }
    kc.setCurrentContext(context);
  } else if (kc.getCurrentContext() === "" || kc.getCurrentContext() === undefined || kc.getCurrentContext() === null) {
    if (process.env.KUBERNETES_SERVICE_HOST === undefined || kubeconfig !== undefined) {
      throw new VerifyOptionError("--context", "", "", noCurrentContextProblem(kubeconfigCandidates(kubeconfig).filter((file) => fs.existsSync(file)), kc.getContexts().map((c) => c.name)));
    }
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new KubeApiError(`use context ${kc.getCurrentContext() || "(none)"}`, undefined, "the context names no cluster");
  }
  allowPlainHttp(kc);
  return { kc, context: kc.getCurrentContext(), server: cluster.server };
}

/**
 * kubectl talks to an `http://` server as it is; client-node 1.4 refuses to
 * unless `insecure-skip-tls-verify` is set, although there is no TLS to
 * verify. Mark plain-http clusters so both behave the same.
 */
function allowPlainHttp(kc: k8s.KubeConfig): void {
  if (!kc.clusters.some((c) => c.server.startsWith("http:") && c.skipTLSVerify !== true)) return;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith("http:") ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
}
