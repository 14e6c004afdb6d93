/**
 * The Kubernetes objects that put names on addresses: Services (type, ports,
 * policies), EndpointSlices (which pod is behind an address, on which node,
 * ready or not) and Pods. They come from `--objects DIR` (the files
 * `kubectl get -o json` writes) or the live API; the explanation works
 * without them, by addresses alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The fields of a Service this module reads. */
export interface ServiceObject {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly ipFamilies?: readonly string[];
    readonly externalName?: string;
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: string; readonly nodePort?: number; readonly targetPort?: number | string }[];
    readonly sessionAffinity?: string;
    readonly externalTrafficPolicy?: string;
    readonly internalTrafficPolicy?: string;
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] } };
}

/** The fields of an EndpointSlice this module reads. */
export interface EndpointSliceObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly endpoints?: readonly {
    readonly addresses: readonly string[];
    readonly conditions?: { readonly ready?: boolean };
    readonly nodeName?: string;
    readonly targetRef?: { readonly kind?: string; readonly name?: string };
  }[];
}

/** The fields of a Pod this module reads. */
export interface PodObject {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly podIP?: string; readonly podIPs?: readonly { readonly ip: string }[] };
}

/** Objects of one namespace (plus the node names), and where they came from. */
export interface ClusterObjects {
  /** Says where the names come from, e.g. `--objects DIR` or `the Kubernetes API (context kind-svclab)`. */
  readonly origin: string;
  readonly services: readonly ServiceObject[];
  readonly slices: readonly EndpointSliceObject[];
  readonly pods: readonly PodObject[];
  /** Node names, when known (nodes.json, the API); else those the pods and slices name. */
  readonly nodes: readonly string[];
}

/** The pod behind an address. */
export interface PodName {
  readonly pod: string;
  readonly node?: string;
  /** The EndpointSlice's `ready` condition for this address, if a slice lists it. */
  readonly ready?: boolean;
}

/** An `--objects` directory that cannot be used: names the file and what is expected. */
export class ObjectsError extends Error {
  override readonly name = "ObjectsError";
}

/** The files `--objects DIR` must hold (nodes.json is optional). */
export const OBJECT_FILES = ["services.json", "endpointslices.json", "pods.json"] as const;

function readList<T>(dir: string, file: string, required: boolean): T[] {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    if (!required) return [];
    throw new ObjectsError(`--objects ${dir}: ${file} is missing; allowed: a directory with ${OBJECT_FILES.join(", ")} as \`kubectl get -o json\` writes them`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (err) {
    throw new ObjectsError(`--objects ${dir}: ${file} is not JSON (${(err as Error).message.split("\n")[0]}); allowed: \`kubectl get -o json\` output`);
  }
  const items = (parsed as { items?: unknown } | null)?.items;
  if (Array.isArray(items)) return items as T[];
  if (parsed !== null && typeof parsed === "object" && "metadata" in parsed) return [parsed as T];
  throw new ObjectsError(`--objects ${dir}: ${file} is neither a List nor an object; allowed: \`kubectl get -o json\` output`);
}

/** Reads `--objects DIR`. */
export function readObjectsDir(dir: string): ClusterObjects {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ObjectsError(`--objects ${dir}: not a directory; allowed: a directory with ${OBJECT_FILES.join(", ")}`);
  }
  const services = readList<ServiceObject>(dir, "services.json", true);
  const slices = readList<EndpointSliceObject>(dir, "endpointslices.json", true);
  const pods = readList<PodObject>(dir, "pods.json", true);
  const nodeObjects = readList<{ metadata: { name: string } }>(dir, "nodes.json", false);
  return { origin: `--objects ${dir}`, services, slices, pods, nodes: nodeNames(nodeObjects.map((n) => n.metadata.name), slices, pods) };
}

/** Node names: the listed ones, else the ones pods and slices name. */
export function nodeNames(listed: readonly string[], slices: readonly EndpointSliceObject[], pods: readonly PodObject[]): string[] {
  if (listed.length > 0) return [...listed].sort();
  const names = new Set<string>();
  for (const pod of pods) if (pod.spec?.nodeName !== undefined) names.add(pod.spec.nodeName);
  for (const slice of slices) for (const endpoint of slice.endpoints ?? []) if (endpoint.nodeName !== undefined) names.add(endpoint.nodeName);
  return [...names].sort();
}

/** Pod name, node and readiness by address, from the slices first (they say readiness), then the pods. */
export function podsByAddress(objects: ClusterObjects): Map<string, PodName> {
  const byAddress = new Map<string, PodName>();
  for (const slice of objects.slices) {
    for (const endpoint of slice.endpoints ?? []) {
      const pod = endpoint.targetRef?.kind === "Pod" ? endpoint.targetRef.name : undefined;
      if (pod === undefined) continue;
      for (const address of endpoint.addresses) {
        byAddress.set(address, {
          pod,
          ...(endpoint.nodeName !== undefined ? { node: endpoint.nodeName } : {}),
          ...(endpoint.conditions?.ready !== undefined ? { ready: endpoint.conditions.ready } : {}),
        });
      }
    }
  }
  for (const pod of objects.pods) {
    const addresses = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((a): a is string => a !== undefined);
    for (const address of addresses) {
      if (byAddress.has(address)) continue;
      byAddress.set(address, { pod: pod.metadata.name, ...(pod.spec?.nodeName !== undefined ? { node: pod.spec.nodeName } : {}) });
    }
  }
  return byAddress;
}

/** The EndpointSlices of one Service (by the `kubernetes.io/service-name` label). */
export function slicesOf(objects: ClusterObjects, namespace: string, name: string): EndpointSliceObject[] {
  return objects.slices.filter(
    (slice) => (slice.metadata.namespace ?? namespace) === namespace && slice.metadata.labels?.["kubernetes.io/service-name"] === name,
  );
}

/** One Service by name. */
export function findService(objects: ClusterObjects, namespace: string, name: string): ServiceObject | undefined {
  return objects.services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? namespace) === namespace);
}
