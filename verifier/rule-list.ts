/**
 * `svclab verify --list`: every rule with its id, sentence, basis and the
 * checks that prove it (and for which Service kinds), without a cluster.
 */
import { CHECKS_BY_KIND, type CheckName, type ServiceKind } from "./plan";
import { RULES, type RuleId } from "./rules";

/**
 * The rules each check can plan a probe for. Kept beside the planners'
 * behaviour by test/verifier/rule-list.test.ts, which plans varied clusters
 * and fails on any probe whose rule its Service's checks do not declare.
 */
export const CHECK_RULES: Readonly<Record<CheckName, readonly RuleId[]>> = {
  endpoints: ["endpoints-match-selector"],
  "pod-ips": ["pod-ip-not-from-outside", "pod-ip-from-pod"],
  "cluster-ip": [
    "clusterip-not-from-outside",
    "clusterip-from-pod",
    "itp-local-same-node",
    "no-endpoints-refuse",
    "no-endpoints-no-answer",
    "terminating-fallback",
  ],
  dns: ["dns-not-outside", "dns-resolves-in-cluster", "dns-name-answers", "no-endpoints-refuse", "no-endpoints-no-answer", "terminating-fallback"],
  "headless-dns": ["headless-a-records"],
  "no-node-port": ["clusterip-no-node-port"],
  "node-port-range": ["nodeport-in-range"],
  "lb-node-port": ["lb-node-port-allocated"],
  "node-ports": [
    "nodeport-from-outside",
    "nodeport-from-pod",
    "etp-local-only-local-nodes",
    "etp-local-preserves-client",
    "no-endpoints-refuse",
    "no-endpoints-no-answer",
    "terminating-fallback",
  ],
  "load-balancer": ["lb-from-outside", "lb-from-pod", "no-endpoints-no-answer", "terminating-fallback"],
  "api-proxy": ["service-via-api-proxy", "no-endpoints-refuse"],
  "port-chain": ["port-chain"],
  spread: ["spread", "session-affinity"],
  cname: ["externalname-cname"],
  "externalname-proxy": ["externalname-no-proxy"],
};

/** The check planned once per node rather than per Service. */
export const AGENT_CHECK = "probe-agents";

/** One rule as `--list` shows it. */
export interface ListedRule {
  readonly id: RuleId;
  readonly sentence: string;
  readonly basis: string;
  readonly vantages: readonly string[];
  /** Each check proving the rule, with the Service kinds that get it (`every node` for the agent check). */
  readonly checks: readonly { readonly check: string; readonly serviceKinds: readonly string[] }[];
}

/** Every rule in catalogue order with the checks that prove it. */
export function listRules(): ListedRule[] {
  return RULES.map((rule) => {
    const checks: { check: string; serviceKinds: string[] }[] = (Object.keys(CHECK_RULES) as CheckName[])
      .filter((check) => CHECK_RULES[check].includes(rule.id))
      .map((check) => ({
        check,
        serviceKinds: (Object.keys(CHECKS_BY_KIND) as ServiceKind[]).filter((kind) => CHECKS_BY_KIND[kind].includes(check)),
      }));
    if (rule.id === "probe-agent-per-node") checks.push({ check: AGENT_CHECK, serviceKinds: ["every node"] });
    return { id: rule.id, sentence: rule.sentence, basis: rule.basis, vantages: rule.vantages, checks };
  });
}

/** The list as text: the id, then the sentence, basis, vantages and checks indented. */
export function renderRuleList(rules: readonly ListedRule[] = listRules()): string {
  const lines = rules.flatMap((r) => [
    r.id,
    `    ${r.sentence}`,
    `    basis: ${r.basis} · vantages: ${r.vantages.join(", ")}`,
    `    proved by: ${r.checks.map((c) => `${c.check} (${c.serviceKinds.join(", ")})`).join("; ")}`,
  ]);
  return `${lines.join("\n")}\n${rules.length} rules\n`;
}
