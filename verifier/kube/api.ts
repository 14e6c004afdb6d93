/**
 * Typed list calls against the Kubernetes API (client-node 1.4 generated
 * clients), each bounded by a timeout and failing with a one-line
 * {@link KubeApiError} naming what was asked and the HTTP status.
 */
import * as k8s from "@kubernetes/client-node";
import { KubeApiError } from "../errors";
import type { KubeSystemReads } from "../data-plane";

/** The lists discovery needs. */
export interface KubeLists {
  nodes(): Promise<k8s.V1Node[]>;
  services(namespace: string, labelSelector: string | undefined): Promise<k8s.V1Service[]>;
  pods(namespace: string, labelSelector: string): Promise<k8s.V1Pod[]>;
  endpointSlices(namespace: string): Promise<k8s.V1EndpointSlice[]>;
}

/**
 * An API configuration like `KubeConfig.makeApiClient` builds (the current
 * context's server, the kubeconfig as authentication), plus a middleware that
 * aborts every request after `timeoutMs` so a silent server cannot hang a run.
 */
function configuration(kc: k8s.KubeConfig, server: string, timeoutMs: number): k8s.Configuration {
  return k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return ctx;
        },
        post: async (ctx) => ctx,
      },
    ],
  });
}

/** Turns anything a client call throws into a one-line KubeApiError. */
export function toKubeApiError(what: string, server: string, err: unknown): KubeApiError {
  if (err instanceof k8s.ApiException) {
    return new KubeApiError(what, err.code, statusMessage(err.body) ?? httpReason(err.code));
  }
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === "AbortError" || e.name === "TimeoutError") return new KubeApiError(what, undefined, `no answer from ${server} in time`);
  if (e.code === "ECONNREFUSED") return new KubeApiError(what, undefined, `connection refused by ${server}`);
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return new KubeApiError(what, undefined, `cannot resolve the host of ${server}`);
  const message = (e.message ?? String(err)).split("\n")[0] ?? "";
  return new KubeApiError(what, undefined, `${server}: ${message}`);
}

/** The `message` of a Kubernetes Status body, if the body is one. */
function statusMessage(body: unknown): string | undefined {
  const parsed: unknown = typeof body === "string" ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === "string" && message !== "" ? message.split("\n")[0] : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function httpReason(code: number): string {
  if (code === 401) return "Unauthorized (check the kubeconfig credentials)";
  if (code === 403) return "Forbidden (the kubeconfig user lacks permission)";
  if (code === 404) return "Not Found";
  return "";
}

/** Lists backed by the kubeconfig's current context. */
export function kubeLists(kc: k8s.KubeConfig, timeoutMs: number): KubeLists {
  const server = kc.getCurrentCluster()?.server ?? "";
  const config = configuration(kc, server, timeoutMs);
  const core = new k8s.CoreV1Api(config);
  const discovery = new k8s.DiscoveryV1Api(config);
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (err) {
      throw toKubeApiError(what, server, err);
    }
  };
  return {
    nodes: () => call("list nodes", async () => (await core.listNode()).items),
    services: (namespace, labelSelector) =>
      call(`list services in namespace ${namespace}`, async () =>
        (await core.listNamespacedService({ namespace, ...(labelSelector !== undefined ? { labelSelector } : {}) })).items,
      ),
    pods: (namespace, labelSelector) =>
      call(`list pods in namespace ${namespace} (selector ${labelSelector})`, async () =>
        (await core.listNamespacedPod({ namespace, labelSelector })).items,
      ),
    endpointSlices: (namespace) =>
      call(`list endpointslices in namespace ${namespace}`, async () =>
        (await discovery.listNamespacedEndpointSlice({ namespace })).items,
      ),
  };
}

/** Reads of single kube-system objects for data-plane detection; a missing object is `undefined`, other failures a KubeApiError. */
export function kubeSystemReads(kc: k8s.KubeConfig, timeoutMs: number): KubeSystemReads {
  const server = kc.getCurrentCluster()?.server ?? "";
  const config = configuration(kc, server, timeoutMs);
  const core = new k8s.CoreV1Api(config);
  const apps = new k8s.AppsV1Api(config);
  const read = async <T>(what: string, request: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await request();
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) return undefined;
      throw toKubeApiError(what, server, err);
    }
  };
  return {
    configMap: (namespace, name) => read(`get configmap ${namespace}/${name}`, () => core.readNamespacedConfigMap({ namespace, name })),
    daemonSet: (namespace, name) => read(`get daemonset ${namespace}/${name}`, () => apps.readNamespacedDaemonSet({ namespace, name })),
  };
}
