/**
 * `svclab verify --explain`: reads each node's kube-proxy rules once (per IP
 * family its Services use) while the probes run, and explains every Service
 * on every node whose rules could be read, exactly as `svclab explain`
 * would. Nothing here can fail the run: a node whose rules cannot be read,
 * or a Service that cannot be explained, is recorded with the reason.
 */
import { primaryFamily } from "../checks/families";
import type { DataPlaneInfo } from "../data-plane";
import type { Cluster } from "../model";
import { objectsFromCluster } from "./cluster-objects";
import { explain } from "./explain";
import { renderExplanation } from "./render";
import type { NodeRulesRecord, ReportExplanations, RulesFamily, ServiceExplanationRecord } from "./report-model";
import type { Ruleset } from "./ruleset";
import { readRulesFromKindNode, runProgram, type RunProgram } from "./sources";

/** Nodes whose rules are read at once: a few `docker exec`s in flight, not one per node of a large cluster. */
const READS_IN_FLIGHT = 4;

/** Why rules are not read at all on a data plane whose Services are not kube-proxy's iptables or nftables rules. */
function notKubeProxyRules(dataPlane: DataPlaneInfo): string | undefined {
  switch (dataPlane.profile) {
    case "ipvs":
      return "kube-proxy runs in IPVS mode: svclab explain does not explain IPVS (its endpoint choice lives in the kernel's IPVS tables, `ipvsadm -Ln`, not in rules)";
    case "cilium":
      return "Services are implemented by Cilium, not kube-proxy: there are no kube-proxy rules to explain";
    case "other":
      return "Services are implemented by something other than kube-proxy (data plane `other`): there are no kube-proxy rules to explain";
    default:
      return undefined;
  }
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
async function bounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reads one node's rules for one family; a failure becomes the record's reason. */
async function readNode(node: string, family: RulesFamily, run: RunProgram): Promise<{ record: NodeRulesRecord; ruleset?: Ruleset }> {
  try {
    const { ruleset, origin } = await readRulesFromKindNode(node, run, family);
    return { record: { node, family, origin, mode: ruleset.mode }, ruleset };
  } catch (err) {
    return { record: { node, family, notRead: err instanceof Error ? err.message : String(err) } };
  }
}

/**
 * Explains every Service of `cluster` on every node.
 * @param run runs `docker exec <node> …` (default: the real docker); a test or a world of network namespaces replaces it
 */
export async function explainCluster(cluster: Cluster, dataPlane: DataPlaneInfo, run: RunProgram = runProgram): Promise<ReportExplanations> {
  const families = [...new Set(cluster.services.map((s) => primaryFamily(s.service)))].sort();
  const pairs = cluster.nodes.flatMap((n) => families.map((family) => ({ node: n.name, family })));
  const skipped = notKubeProxyRules(dataPlane);
  if (skipped !== undefined) return { nodes: pairs.map((p) => ({ ...p, notRead: skipped })), services: [] };

  const read = await bounded(pairs, READS_IN_FLIGHT, (p) => readNode(p.node, p.family, run));
  const objects = objectsFromCluster(cluster);
  const services: ServiceExplanationRecord[] = [];
  for (const state of cluster.services) {
    const service = state.service.name;
    const family = primaryFamily(state.service);
    for (const { record, ruleset } of read) {
      if (record.family !== family || ruleset === undefined || record.origin === undefined) continue;
      const node = record.node;
      try {
        const explanation = explain({ ruleset, namespace: cluster.namespace, service, node, objects });
        services.push({ service, node, text: renderExplanation(explanation, { node, rulesOrigin: record.origin, objects, raw: false }) });
      } catch (err) {
        services.push({ service, node, notExplained: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { nodes: read.map((r) => r.record), services };
}

/** A note for the report when some rules could not be read; undefined when every node's were. */
export function explanationsNote(explanations: ReportExplanations): string | undefined {
  const missing = explanations.nodes.filter((n) => n.notRead !== undefined);
  if (missing.length === 0) return undefined;
  const nodes = [...new Set(missing.map((n) => n.node))];
  const first = missing[0] as NodeRulesRecord;
  return `--explain: the rules of ${nodes.length} of ${new Set(explanations.nodes.map((n) => n.node)).size} nodes were not read (${nodes.join(", ")}): ${first.notRead}; verdicts do not depend on them, and the HTML page names the svclab explain command instead`;
}

/** One line for a terminal after a run with `--explain`: what was read and where the explanations are. */
export function explanationsSummary(explanations: ReportExplanations): string {
  const nodes = new Set(explanations.nodes.map((n) => n.node));
  const read = new Set(explanations.nodes.filter((n) => n.notRead === undefined).map((n) => n.node));
  const explained = explanations.services.filter((s) => s.text !== undefined).length;
  return `explanations: rules read on ${read.size} of ${nodes.size} nodes, ${explained} Service×node explanations recorded; --format html embeds them, --format json keeps them (svclab report --from re-renders)`;
}
