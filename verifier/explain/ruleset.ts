/**
 * One node's kube-proxy rules, in a shape shared by the iptables and the
 * nftables readers: chains of rules, each rule reduced to what matters for
 * explaining a Service path (who it matches, where it sends the packet),
 * plus the entry points kube-proxy declared for each Service port.
 */

/** kube-proxy's data-plane modes this module reads. */
export type ProxyMode = "iptables" | "nftables";

/** A Service port as kube-proxy names it: `namespace/name:port` (port name may be empty). */
export interface ServicePortRef {
  readonly namespace: string;
  readonly name: string;
  /** The Service port's name; "" for an unnamed single port. */
  readonly port: string;
}

/** `ns/name:port`, or `ns/name` for an unnamed port, as kube-proxy writes it. */
export function formatPortRef(ref: ServicePortRef): string {
  return `${ref.namespace}/${ref.name}${ref.port === "" ? "" : `:${ref.port}`}`;
}

/** `ns/name`. */
export function formatServiceRef(ref: { readonly namespace: string; readonly name: string }): string {
  return `${ref.namespace}/${ref.name}`;
}

/** Where a rule sends the packet. */
export type Target =
  | { readonly kind: "jump"; readonly chain: string }
  /** Marks the packet for masquerade (KUBE-MARK-MASQ / mark-for-masquerade): SNAT on the way out. */
  | { readonly kind: "masq-mark" }
  /** Marks the packet to be dropped (KUBE-MARK-DROP; the drop itself happens later). */
  | { readonly kind: "drop-mark" }
  | { readonly kind: "drop" }
  | { readonly kind: "reject" }
  | { readonly kind: "dnat"; readonly address: string; readonly port: number }
  /** nftables `numgen random mod N vmap { i : goto chain, … }`: each chain gets its count of the N slots. */
  | { readonly kind: "random-map"; readonly modulus: number; readonly slots: readonly { readonly index: number; readonly chain: string }[] }
  /** nftables `update @set { ip saddr }`: remembers the client for session affinity, then continues. */
  | { readonly kind: "affinity-record"; readonly set: string }
  | { readonly kind: "other"; readonly text: string };

/** A match on the packet's source address or origin. */
export type SourceMatch =
  | { readonly kind: "cidr"; readonly cidr: string; readonly negated: boolean }
  /** The source is one of this node's own addresses (`--src-type LOCAL`, `fib saddr type local`). */
  | { readonly kind: "node-local"; readonly negated: boolean }
  | { readonly kind: "interface"; readonly name: string; readonly negated: boolean };

/** One rule, with where it is (for the learner to find it) and its text (for `--raw`). */
export interface Rule {
  /** iptables table (`nat`, `filter`) or nftables `ip kube-proxy`. */
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain; for nftables map elements, 1-based position in the map. */
  readonly index: number;
  /** The rule as the tool printed it. */
  readonly text: string;
  readonly comment?: string;
  readonly sources: readonly SourceMatch[];
  /** Destination address (or CIDR) the rule requires, if any. */
  readonly destination?: { readonly address: string; readonly negated: boolean };
  /** The rule requires a destination that is one of this node's addresses. */
  readonly destinationNodeLocal?: boolean;
  readonly protocol?: string;
  readonly destinationPort?: number;
  /** iptables `-m statistic --mode random --probability p`. */
  readonly probability?: number;
  /** Session affinity: the rule matches clients seen within `seconds` (iptables `-m recent --rcheck`, nftables `ip saddr @set`). */
  readonly affinityCheck?: { readonly name: string; readonly seconds: number | undefined };
  /** Session affinity: the rule remembers the client under `name` (iptables `-m recent --set`). */
  readonly affinitySet?: string;
  readonly target: Target;
  /** Why a drop/reject rule is there, when kube-proxy says so ("has no endpoints", "has no local endpoints"). */
  readonly verdictReason?: "no-endpoints" | "no-local-endpoints";
}

/** How a packet reaches a Service port on this node. */
export type EntryKind = "cluster-ip" | "node-port" | "load-balancer" | "external-ip";

/** An entry point: the first rule a packet for this Service port meets. */
export interface Entry {
  readonly kind: EntryKind;
  readonly service: ServicePortRef;
  /** The destination address; undefined for a node port (every node address). */
  readonly address?: string;
  readonly port: number;
  readonly protocol: string;
  readonly rule: Rule;
}

/** One node's rules, whichever mode wrote them. */
export interface Ruleset {
  readonly mode: ProxyMode;
  readonly entries: readonly Entry[];
  /** The source ranges kube-proxy treats as "from a pod" (its local-traffic detector), as the rules show them. */
  readonly podRanges: readonly string[];
  /** The rules of chain `name` in `table` (the table of the rule that jumps there). */
  chain(table: string, name: string): readonly Rule[] | undefined;
}

/** Rules that are not what the reader expects: the message names the line and what is allowed. */
export class RulesFormatError extends Error {
  override readonly name = "RulesFormatError";
}
