/**
 * Follows a Service entry through the chains its rules jump to, the way the
 * kernel would, and records what happens: masquerade marks (and for whom),
 * detours some clients take, and the outcome — a random choice among
 * endpoints with the share each really gets, a drop, or a reject.
 */
import type { Entry, Rule, Ruleset, SourceMatch } from "./ruleset";

/** Who sends the packet, as kube-proxy's rules tell clients apart. */
export type Client = "outside" | "pod" | "node";

/** One endpoint the choice can land on. */
export interface EndpointChoice {
  readonly address: string;
  readonly port: number;
  /** The fraction of new connections (from clients without affinity) that land here; the shares of one choice sum to 1. */
  readonly share: number;
  /** The rule that picks this endpoint (with its probability), if any. */
  readonly rule: Rule;
  /** The endpoint chain's DNAT rule: where the destination is rewritten to the pod. */
  readonly dnat: Rule;
  /** The endpoint chain's hairpin rule: a pod reaching itself through the Service is masqueraded. */
  readonly hairpin?: Rule;
  /** The affinity rule that sends a returning client straight back here. */
  readonly sticky?: Rule;
  /** The rule that remembers the client for affinity (iptables: the DNAT rule's `-m recent --set`; nftables: `update @set`). */
  readonly remember?: Rule;
}

/** How the path ends. */
export type Outcome =
  | {
      readonly kind: "endpoints";
      /** The chain holding the choice (its name says Cluster or Local policy). */
      readonly chain: string;
      /** Only this node's endpoints (traffic policy Local). */
      readonly local: boolean;
      readonly choices: readonly EndpointChoice[];
      /** Session affinity: a client is sent back to its endpoint for this many seconds. */
      readonly affinitySeconds?: number;
      /** Probability no rule picks (should be 0; non-zero means the chain falls through). */
      readonly leftover: number;
    }
  | { readonly kind: "drop"; readonly rule: Rule }
  | { readonly kind: "reject"; readonly rule: Rule }
  /** No rule decided: the packet goes on to its original destination. */
  | { readonly kind: "none"; readonly chain: string };

/** A step before the outcome. */
export type Step =
  | { readonly kind: "masquerade"; readonly when: readonly SourceMatch[]; readonly rule: Rule }
  /** Clients matching `when` leave this path for `flow`. */
  | { readonly kind: "detour"; readonly when: readonly SourceMatch[]; readonly rule: Rule; readonly flow: Flow }
  /** An unconditional jump into `chain`. */
  | { readonly kind: "pass"; readonly rule: Rule; readonly chain: string };

export interface Flow {
  readonly steps: readonly Step[];
  readonly outcome: Outcome;
}

/** The destination the entry matched: rules for another address or port of the Service do not apply on this path. */
interface Destination {
  readonly address?: string;
  readonly port: number;
  readonly protocol: string;
}

/** Chains of Local traffic policy: kube-proxy's names for "this node's endpoints only". */
export function isLocalPolicyChain(name: string): boolean {
  return /^KUBE-(SVL|XLB)-/.test(name) || /^local-/.test(name);
}

const MAX_DEPTH = 12;

function withoutHostMask(address: string): string {
  return address.replace(/\/(32|128)$/, "");
}

function appliesTo(rule: Rule, to: Destination): boolean {
  if (rule.destination !== undefined && !rule.destination.negated) {
    if (to.address === undefined || withoutHostMask(rule.destination.address) !== to.address) return false;
  }
  if (rule.destinationPort !== undefined && rule.destinationPort !== to.port) return false;
  if (rule.destinationNodeLocal === true && to.address !== undefined) return false;
  if (rule.protocol !== undefined && rule.protocol.toUpperCase() !== to.protocol) return false;
  return true;
}

/** The pod an endpoint chain DNATs to, with its hairpin rule. */
function endpointOf(rules: readonly Rule[]): { address: string; port: number; dnat: Rule; hairpin?: Rule; remember?: Rule } | undefined {
  const dnat = rules.find((rule) => rule.target.kind === "dnat");
  if (dnat === undefined || dnat.target.kind !== "dnat") return undefined;
  const { address, port } = dnat.target;
  const hairpin = rules.find(
    (rule) => rule.target.kind === "masq-mark" && rule.sources.some((s) => s.kind === "cidr" && !s.negated && withoutHostMask(s.cidr) === address),
  );
  const remember = rules.find((rule) => rule.affinitySet !== undefined || rule.target.kind === "affinity-record");
  return { address, port, dnat, ...(hairpin !== undefined ? { hairpin } : {}), ...(remember !== undefined ? { remember } : {}) };
}

/** Walks `chain` for a packet to `to`. */
function walk(ruleset: Ruleset, table: string, chain: string, to: Destination, depth: number): Flow {
  const rules = ruleset.chain(table, chain) ?? [];
  const steps: Step[] = [];
  const choices: { chain: string; share: number; rule: Rule }[] = [];
  const sticky = new Map<string, Rule>();
  let remaining = 1;
  const endpointsOutcome = (): Outcome => {
    const built: EndpointChoice[] = [];
    for (const choice of choices) {
      const endpoint = endpointOf(ruleset.chain(table, choice.chain) ?? []);
      if (endpoint === undefined) continue;
      const stickyRule = sticky.get(choice.chain);
      built.push({ ...endpoint, share: choice.share, rule: choice.rule, ...(stickyRule !== undefined ? { sticky: stickyRule } : {}) });
    }
    const seconds = [...sticky.values()].map((rule) => rule.affinityCheck?.seconds).find((s) => s !== undefined);
    return {
      kind: "endpoints",
      chain,
      local: isLocalPolicyChain(chain),
      choices: mergeByEndpoint(built),
      ...(seconds !== undefined ? { affinitySeconds: seconds } : {}),
      leftover: remaining,
    };
  };
  if (depth > MAX_DEPTH) return { steps, outcome: { kind: "none", chain } };
  for (const rule of rules) {
    if (!appliesTo(rule, to)) continue;
    const when = rule.sources;
    const target = rule.target;
    switch (target.kind) {
      case "masq-mark":
        steps.push({ kind: "masquerade", when, rule });
        break;
      case "drop":
      case "drop-mark":
      case "reject": {
        const outcome: Outcome = target.kind === "reject" ? { kind: "reject", rule } : { kind: "drop", rule };
        if (when.length === 0) return { steps, outcome };
        steps.push({ kind: "detour", when, rule, flow: { steps: [], outcome } });
        break;
      }
      case "random-map": {
        for (const slot of target.slots) choices.push({ chain: slot.chain, share: remaining / target.modulus, rule });
        remaining = 0;
        return { steps, outcome: endpointsOutcome() };
      }
      case "jump": {
        if (rule.affinityCheck !== undefined) {
          sticky.set(target.chain, rule);
          break;
        }
        const isEndpoint = endpointOf(ruleset.chain(table, target.chain) ?? []) !== undefined;
        if (rule.probability !== undefined || isEndpoint) {
          const share = remaining * (rule.probability ?? 1);
          choices.push({ chain: target.chain, share, rule });
          remaining -= share;
          if (rule.probability === undefined) return { steps, outcome: endpointsOutcome() };
          break;
        }
        const sub = walk(ruleset, table, target.chain, to, depth + 1);
        if (when.length > 0) {
          steps.push({ kind: "detour", when, rule, flow: sub });
          break;
        }
        return { steps: [...steps, { kind: "pass", rule, chain: target.chain }, ...sub.steps], outcome: sub.outcome };
      }
      case "dnat":
      case "affinity-record":
      case "other":
        break;
    }
  }
  return { steps, outcome: choices.length > 0 ? endpointsOutcome() : { kind: "none", chain } };
}

/** nftables may list one endpoint in several slots: one line per endpoint, shares added. */
function mergeByEndpoint(choices: readonly EndpointChoice[]): EndpointChoice[] {
  const merged = new Map<string, EndpointChoice>();
  for (const choice of choices) {
    const key = `${choice.address}:${choice.port}`;
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? choice : { ...seen, share: seen.share + choice.share });
  }
  return [...merged.values()];
}

/** The flow of an entry: its first rule's verdict, or the chains it jumps to. */
export function entryFlow(ruleset: Ruleset, entry: Entry): Flow {
  const to: Destination = { ...(entry.address !== undefined ? { address: entry.address } : {}), port: entry.port, protocol: entry.protocol };
  const rule = entry.rule;
  switch (rule.target.kind) {
    case "reject":
      return { steps: [], outcome: { kind: "reject", rule } };
    case "drop":
    case "drop-mark":
      return { steps: [], outcome: { kind: "drop", rule } };
    case "jump": {
      const sub = walk(ruleset, rule.table, rule.target.chain, to, 0);
      return { steps: [{ kind: "pass", rule, chain: rule.target.chain }, ...sub.steps], outcome: sub.outcome };
    }
    default:
      return { steps: [], outcome: { kind: "none", chain: rule.chain } };
  }
}

/** Does a source match hold for this kind of client? Pod ranges are kube-proxy's "from a pod" test. */
export function holdsFor(match: SourceMatch, client: Client, podRanges: readonly string[]): boolean {
  let holds: boolean;
  switch (match.kind) {
    case "cidr":
      // A range that is not the pod range (e.g. loadBalancerSourceRanges): taken as an allowed outside client.
      holds = podRanges.includes(match.cidr) ? client === "pod" : client === "outside";
      break;
    case "interface":
      // Interface-based local detection: the pods' bridge or veth prefix.
      holds = client === "pod";
      break;
    case "node-local":
      holds = client === "node";
      break;
  }
  return match.negated ? !holds : holds;
}

/** What happens to one kind of client on a flow: the masquerade rules it meets and where it ends. */
export interface ClientPath {
  readonly masquerade: readonly Rule[];
  readonly outcome: Outcome;
}

/** Follows a flow for one kind of client. */
export function followFor(flow: Flow, client: Client, podRanges: readonly string[]): ClientPath {
  const masquerade: Rule[] = [];
  for (const step of flow.steps) {
    if (step.kind === "pass") continue;
    if (!step.when.every((match) => holdsFor(match, client, podRanges))) continue;
    if (step.kind === "masquerade") masquerade.push(step.rule);
    else {
      const sub = followFor(step.flow, client, podRanges);
      return { masquerade: [...masquerade, ...sub.masquerade], outcome: sub.outcome };
    }
  }
  return { masquerade, outcome: flow.outcome };
}
