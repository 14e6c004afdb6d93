/**
 * Whether this machine sits on a network that routes pod IPs (EKS with the
 * VPC CNI, GKE VPC-native, a verifier run on a node). There the "not from
 * outside" rules describe the network, not a defect: when a pod IP answers
 * from outside *and* the answer names that very pod, the network routes pod
 * IPs, and those probes are reported as a property of the network (skipped,
 * with the reason) instead of failures — unless the user asks for isolation
 * (`--expect-isolated`). Pure: it reads the probes, their results and the
 * discovered cluster.
 */
import type { Cluster } from "./model";
import type { RuleId } from "./rules";
import type { Attempt, Identity, Probe, ProbeResult } from "./types";

/** The pod network as seen from the machine running the verifier. */
export interface NetworkInfo {
  /**
   * `routable`: a pod answered at its own pod IP from outside; `isolated`:
   * pod IPs were probed from outside and none answered as its pod;
   * `unknown`: no pod IP was probed from outside.
   */
  readonly podIPsFromOutside: "routable" | "isolated" | "unknown";
  /** What was seen, in one line. */
  readonly evidence: string;
  /** `--expect-isolated`: routable pod or cluster IPs are failures. */
  readonly expectIsolated: boolean;
}

/** Why a routable answer is not a failure, appended to the probe's reason. */
export const ROUTABLE_REASON =
  "pod IPs are routable from this machine: a property of this network (EKS VPC CNI, GKE VPC-native, a verifier run on a node), not a failure; --expect-isolated makes it one";

function hostOf(probe: Probe): string | undefined {
  if (probe.target.kind !== "http") return undefined;
  try {
    return new URL(probe.target.url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

function answers(result: ProbeResult): Identity[] {
  if (result.observation.kind !== "http") return [];
  return result.observation.attempts
    .filter((a: Attempt) => a.ok && a.identity !== null)
    .map((a) => a.identity as Identity);
}

/** The pod a pod-IP probe is aimed at, by its address. */
function podAt(cluster: Cluster, address: string): string | undefined {
  for (const state of cluster.services) {
    const endpoint = state.endpoints.find((e) => e.address === address || (e.addresses ?? []).includes(address));
    if (endpoint?.podName !== undefined) return endpoint.podName;
    const pod = state.pods.find((p) => p.podIP === address);
    if (pod !== undefined) return pod.name;
  }
  return undefined;
}

/** True when an answer at `address` names the pod that owns it. */
function answeredByOwner(cluster: Cluster, address: string, identity: Identity): boolean {
  const owner = podAt(cluster, address);
  return identity.podIP === address || (owner !== undefined && identity.pod === owner);
}

/** True when an answer names a ready endpoint of `service`. */
function answeredByEndpoint(cluster: Cluster, service: string, identity: Identity): boolean {
  const state = cluster.services.find((s) => s.service.name === service);
  return (state?.endpoints ?? []).some((e) => (identity.pod !== undefined && e.podName === identity.pod) || (identity.podIP !== undefined && e.address === identity.podIP));
}

const POD_IP_RULE: RuleId = "pod-ip-not-from-outside";
const CLUSTER_IP_RULE: RuleId = "clusterip-not-from-outside";

/**
 * Reads the network property from the pod-IP probes and, unless isolation is
 * expected, reports the "not from outside" probes it explains as skipped with
 * the reason. ClusterIPs answering from outside are explained only when pod
 * IPs are routable too (a machine inside the cluster network); alone, they
 * stay failures (a route to the Service range that should not exist).
 */
export function assessNetwork(
  cluster: Cluster,
  probes: readonly Probe[],
  results: readonly ProbeResult[],
  expectIsolated: boolean,
): { results: ProbeResult[]; network: NetworkInfo; notes: string[] } {
  const probeById = new Map(probes.map((p) => [p.id, p]));
  const podIpResults = results.filter((r) => r.rule.id === POD_IP_RULE && (r.status === "pass" || r.status === "fail"));
  let witness: string | undefined;
  for (const result of podIpResults) {
    const host = probeById.get(result.id) === undefined ? undefined : hostOf(probeById.get(result.id) as Probe);
    const owner = host === undefined ? undefined : answers(result).find((identity) => answeredByOwner(cluster, host, identity));
    if (host !== undefined && owner !== undefined) {
      witness = `pod ${owner.pod ?? host} answered at its own pod IP ${host} from this machine`;
      break;
    }
  }
  const network: NetworkInfo =
    witness !== undefined
      ? { podIPsFromOutside: "routable", evidence: witness, expectIsolated }
      : podIpResults.length > 0
        ? { podIPsFromOutside: "isolated", evidence: `${podIpResults.length} pod IP probe(s) from this machine: no pod answered at its own IP`, expectIsolated }
        : { podIPsFromOutside: "unknown", evidence: "no pod IP was probed from this machine", expectIsolated };
  if (network.podIPsFromOutside !== "routable") return { results: [...results], network, notes: [] };
  if (expectIsolated) {
    return {
      results: [...results],
      network,
      notes: [`network: ${witness as string}; --expect-isolated: pod and cluster IPs answering from outside are failures`],
    };
  }
  const explained = results.map((result): ProbeResult => {
    if (result.status !== "fail") return result;
    const probe = probeById.get(result.id);
    const host = probe === undefined ? undefined : hostOf(probe);
    if (host === undefined) return result;
    const identities = answers(result);
    if (identities.length === 0) return result;
    const isRoutable =
      result.rule.id === POD_IP_RULE
        ? identities.every((identity) => answeredByOwner(cluster, host, identity))
        : result.rule.id === CLUSTER_IP_RULE && identities.every((identity) => answeredByEndpoint(cluster, result.service, identity));
    return isRoutable ? { ...result, status: "skipped", reason: `${result.reason}; ${ROUTABLE_REASON}` } : result;
  });
  return {
    results: explained,
    network,
    notes: [`network: ${witness as string}: the "not from outside" checks of pod and cluster IPs are reported as skipped (${ROUTABLE_REASON})`],
  };
}
