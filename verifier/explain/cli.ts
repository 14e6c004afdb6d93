/**
 * `svclab explain <service>`: read one node's kube-proxy rules, name the pods
 * behind the addresses (API or `--objects DIR`, else addresses alone), print
 * the path in a learner's words. Bad input: one line, exit 2.
 */
import { Command } from "commander";
import { KubeApiError, VerifyOptionError } from "../errors";
import { loadKubeTarget } from "../kube/config";
import { kubeLists } from "../kube/api";
import { DEFAULT_NAMESPACE } from "../options";
import { ExplainInputError, explain } from "./explain";
import { findService, nodeNames, ObjectsError, readObjectsDir, type ClusterObjects, type EndpointSliceObject, type PodObject, type ServiceObject } from "./objects";
import { renderExplanation } from "./render";
import { RulesFormatError } from "./ruleset";
import { readRulesFile, readRulesFromKindNode, RulesUnavailableError, SAVE_RULES_HINT, type IpFamily, type RunProgram } from "./sources";

/** Parsed `svclab explain` flags. */
export interface ExplainFlags {
  namespace: string;
  node?: string;
  port?: string;
  raw?: boolean;
  iptablesSave?: string;
  objects?: string;
  kubeconfig?: string;
  context?: string;
}

/** How long the API may take to list the objects before names are given up. */
const API_TIMEOUT_MS = 10_000;

export const EXPLAIN_HELP = `
Where the rules come from:
  --iptables-save FILE   one node's \`iptables-save\` (or \`nft list ruleset\`) output
  otherwise              the kind node container: \`docker exec <node> iptables-save\`
                         (ip6tables-save first for an IPv6 Service; then \`nft list ruleset\`
                         when kube-proxy runs in nftables mode)
  Other clusters: ${SAVE_RULES_HINT}.
  kube-proxy's IPVS mode is not explained.

Names of pods and nodes come from --objects DIR (services.json, endpointslices.json,
pods.json as \`kubectl get -o json\` writes them; nodes.json optional) or the
Kubernetes API; with neither, endpoints are shown by address.

Exit codes:
  0  explained (including "no rules, and why" for ExternalName and headless Services)
  2  bad input: rules that are not iptables-save/nft output, a Service with no rules
     on that node, an unknown node or port, rules that cannot be read (IPVS mode)`;

/** Objects from the API, or why there are none. */
async function objectsFromApi(flags: ExplainFlags): Promise<{ objects?: ClusterObjects; why?: string }> {
  try {
    const target = loadKubeTarget(flags.kubeconfig, flags.context);
    const lists = kubeLists(target.kc, API_TIMEOUT_MS);
    const [services, slices, pods, nodes] = await Promise.all([
      lists.services(flags.namespace, undefined),
      lists.endpointSlices(flags.namespace),
      lists.pods(flags.namespace, ""),
      lists.nodes(),
    ]);
    const asSlices = slices as unknown as EndpointSliceObject[];
    const asPods = pods as unknown as PodObject[];
    return {
      objects: {
        origin: `the Kubernetes API (context ${target.context})`,
        services: services as unknown as ServiceObject[],
        slices: asSlices,
        pods: asPods,
        nodes: nodeNames(nodes.map((n) => n.metadata?.name ?? "").filter((n) => n !== ""), asSlices, asPods),
      },
    };
  } catch (err) {
    // No usable kubeconfig or API: explain by addresses, saying why (the brief's "neither API nor --objects").
    if (err instanceof KubeApiError || err instanceof VerifyOptionError) return { why: err.message };
    throw err;
  }
}

/** IPv6 when the Service's first family (or its ClusterIP) is IPv6; IPv4 otherwise or when unknown. */
function serviceFamily(objects: ClusterObjects | undefined, namespace: string, service: string): IpFamily {
  const spec = objects === undefined ? undefined : findService(objects, namespace, service)?.spec;
  const first = spec?.ipFamilies?.[0] ?? (spec?.clusterIP?.includes(":") === true ? "IPv6" : "IPv4");
  return first === "IPv6" ? "IPv6" : "IPv4";
}

/** Runs one explanation; returns the exit code. `run` is the program runner (docker), replaceable in tests. */
export async function runExplain(service: string, flags: ExplainFlags, out: NodeJS.WritableStream, err: NodeJS.WritableStream, run?: RunProgram): Promise<number> {
  try {
    const names = flags.objects !== undefined ? { objects: readObjectsDir(flags.objects) } : await objectsFromApi(flags);
    const knownNodes = names.objects?.nodes ?? [];
    if (flags.node !== undefined && knownNodes.length > 0 && !knownNodes.includes(flags.node)) {
      throw new ExplainInputError(`unknown node ${JSON.stringify(flags.node)}: allowed: ${knownNodes.join(", ")}`);
    }
    let node = flags.node;
    let source;
    if (flags.iptablesSave !== undefined) source = readRulesFile(flags.iptablesSave);
    else {
      node ??= knownNodes[0];
      if (node === undefined) {
        throw new ExplainInputError(
          `no --node given and the cluster's nodes are unknown (${names.why ?? "no nodes in the objects"}); allowed: --node NAME (a kind node container) or --iptables-save FILE`,
        );
      }
      if (flags.node === undefined && knownNodes.length > 1) {
        err.write(`explaining on node ${node}; the others: ${knownNodes.filter((n) => n !== node).join(", ")} (--node NAME)\n`);
      }
      source = await readRulesFromKindNode(node, run, serviceFamily(names.objects, flags.namespace, service));
    }
    const explanation = explain({
      ruleset: source.ruleset,
      namespace: flags.namespace,
      service,
      ...(flags.port !== undefined ? { port: flags.port } : {}),
      ...(node !== undefined ? { node } : {}),
      ...(names.objects !== undefined ? { objects: names.objects } : {}),
    });
    out.write(
      renderExplanation(explanation, {
        ...(node !== undefined ? { node } : {}),
        rulesOrigin: source.origin,
        ...(names.objects !== undefined ? { objects: names.objects } : {}),
        ...(names.why !== undefined ? { namesUnknownBecause: names.why } : {}),
        raw: flags.raw === true,
      }),
    );
    return 0;
  } catch (e) {
    if (e instanceof ExplainInputError || e instanceof RulesFormatError || e instanceof RulesUnavailableError || e instanceof ObjectsError) {
      err.write(`svclab explain: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** The `explain` subcommand. */
export function explainCommand(): Command {
  return new Command("explain")
    .description("Explain, rule by rule, how kube-proxy on one node carries traffic for a Service: entry points, endpoint shares, affinity, masquerade, traffic policies.")
    .argument("<service>", "the Service's name")
    .option("--namespace <name>", "the Service's namespace", DEFAULT_NAMESPACE)
    .option("--node <name>", "the node whose rules to read (default: the first node)")
    .option("--port <name|number>", "one Service port, by name, port or node port (default: every port)")
    .option("--raw", "print each rule's text under the step it explains")
    .option("--iptables-save <file>", "read the rules from this file instead of the kind node")
    .option("--objects <dir>", "read Services, EndpointSlices and Pods from this directory instead of the API")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current context)")
    .addHelpText("after", EXPLAIN_HELP)
    .action(async (service: string, flags: ExplainFlags) => {
      process.exitCode = await runExplain(service, flags, process.stdout, process.stderr);
    });
}
