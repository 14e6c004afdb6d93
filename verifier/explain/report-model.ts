/**
 * The explanations a run records in its report (`svclab verify --explain`):
 * how each node's kube-proxy rules were read (or why they could not be), and
 * each Service's paths on each node as `svclab explain` prints them. Plain
 * JSON: `svclab report --from` re-renders them without a cluster.
 */
import type { ProxyMode } from "./ruleset";

/** An IP family; a node's rules are read once per family its Services use. */
export type RulesFamily = "IPv4" | "IPv6";

/** One node's rules for one family: where they came from, or why they were not read. */
export interface NodeRulesRecord {
  readonly node: string;
  readonly family: RulesFamily;
  /** The command that read them, e.g. `docker exec svclab-worker iptables-save`; absent when not read. */
  readonly origin?: string;
  /** kube-proxy's mode, as the rules show it; absent when not read. */
  readonly mode?: ProxyMode;
  /** Why the rules were not read (docker missing, no such container, IPVS mode, another data plane); absent when read. */
  readonly notRead?: string;
}

/** One Service on one node whose rules were read. */
export interface ServiceExplanationRecord {
  readonly service: string;
  readonly node: string;
  /** The explanation as `svclab explain <service> --node <node>` prints it; absent when it could not be made. */
  readonly text?: string;
  /** Why there is no explanation although the rules were read (e.g. no rules for the Service on that node). */
  readonly notExplained?: string;
}

/** Everything `--explain` recorded. */
export interface ReportExplanations {
  /** Every node, once per family read. */
  readonly nodes: readonly NodeRulesRecord[];
  /** Every Service on every node whose rules were read, in the report's Service and node order. */
  readonly services: readonly ServiceExplanationRecord[];
}
