/**
 * Prints an {@link Explanation} in a learner's words: each entry point, each
 * step with the rule behind it (`[table chain #n]`, or the rule's text with
 * `--raw`), the endpoint choice with real shares, and what each kind of
 * client ends up with (which pods, which source address they see).
 */
import type { Explanation, ExplainedEntry, ExplainedPort } from "./explain";
import { followFor, type Client, type EndpointChoice, type Flow, type Outcome, type Step } from "./flow";
import { podsByAddress, slicesOf, type ClusterObjects, type PodName } from "./objects";
import type { Entry, Rule, SourceMatch } from "./ruleset";

/** What the printer needs besides the explanation. */
export interface RenderContext {
  /** The node the rules were read on, if known. */
  readonly node?: string;
  /** Where the rules came from (a file, `docker exec <node> iptables-save`). */
  readonly rulesOrigin: string;
  readonly objects?: ClusterObjects;
  /** Why names are unknown, when `objects` is undefined. */
  readonly namesUnknownBecause?: string;
  /** Print each rule's text, not only where it is. */
  readonly raw: boolean;
}

const CLIENT_LABEL: Readonly<Record<Client, string>> = {
  outside: "from outside the cluster",
  pod: "from a pod",
  node: "from this node itself (host network)",
};

function percent(share: number): string {
  const p = share * 100;
  return `${Number.isInteger(Math.round(p * 10) / 10) ? Math.round(p) : (Math.round(p * 10) / 10).toFixed(1)}%`;
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds} s (${seconds / 3600} h)`;
  if (seconds % 60 === 0) return `${seconds} s (${seconds / 60} min)`;
  return `${seconds} s`;
}

class Printer {
  private readonly lines: string[] = [];
  private readonly names: Map<string, PodName> | undefined;
  /** Endpoint choices already printed, by chain: later entries refer back to them. */
  private readonly printedChoices = new Map<string, string>();
  /** The number of the entry being printed (`2.`), for those references. */
  private currentEntry = "";

  constructor(
    private readonly explanation: Extract<Explanation, { kind: "paths" }>,
    private readonly context: RenderContext,
  ) {
    this.names = context.objects === undefined ? undefined : podsByAddress(context.objects);
  }

  private line(indent: number, text: string): void {
    this.lines.push(`${" ".repeat(indent)}${text}`);
  }

  /** `[nat KUBE-SVC-X #2]`, and with --raw the rule's text on its own line. */
  private rule(indent: number, text: string, rule: Rule): void {
    this.line(indent, `${text}  [${rule.table} ${rule.chain} #${rule.index}]`);
    if (this.context.raw) this.line(indent + 4, rule.text.trim());
  }

  private condition(match: SourceMatch): string {
    switch (match.kind) {
      case "cidr": {
        const pods = this.explanation.podRanges.includes(match.cidr);
        if (pods) return match.negated ? `not from a pod (source outside ${match.cidr})` : `from a pod (source in ${match.cidr})`;
        return `source ${match.negated ? "not " : ""}in ${match.cidr}`;
      }
      case "node-local":
        return match.negated ? "not from this node itself" : "from this node itself (source is one of its addresses)";
      case "interface":
        return match.negated ? `not arriving on interface ${match.name} (not from a pod)` : `arriving on interface ${match.name} (from a pod)`;
    }
  }

  private when(matches: readonly SourceMatch[]): string {
    return matches.length === 0 ? "always" : `if ${matches.map((m) => this.condition(m)).join(" and ")}`;
  }

  private podText(address: string): string {
    if (this.names === undefined) return "(pod name unknown)";
    const pod = this.names.get(address);
    if (pod === undefined) return "(no pod with this address in the objects)";
    const here = pod.node !== undefined && pod.node === this.context.node ? " (this node)" : "";
    return `pod ${pod.pod}${pod.node !== undefined ? ` on ${pod.node}${here}` : ""}`;
  }

  private policyName(entry: Entry): string {
    return entry.kind === "cluster-ip" ? "internalTrafficPolicy: Local" : "externalTrafficPolicy: Local";
  }

  private entryTitle(entry: Entry): string {
    switch (entry.kind) {
      case "cluster-ip":
        return `ClusterIP ${entry.address}:${entry.port}/${entry.protocol}: the Service's virtual address, for clients in the cluster`;
      case "node-port":
        return `NodePort ${entry.port}/${entry.protocol} on every address of ${this.context.node ?? "this node"}`;
      case "load-balancer":
        return `LoadBalancer ingress ${entry.address}:${entry.port}/${entry.protocol}: traffic the load balancer delivers to this node`;
      case "external-ip":
        // nftables rules alone do not tell an externalIPs address from a LoadBalancer ingress.
        return `${this.explanation.mode === "nftables" && this.context.objects === undefined ? "External IP or LoadBalancer ingress" : "External IP"} ${entry.address ?? ""}:${entry.port}/${entry.protocol}`;
    }
  }

  private steps(indent: number, entry: Entry, steps: readonly Step[]): void {
    for (const step of steps) {
      switch (step.kind) {
        case "pass":
          this.rule(indent, `goes to chain ${step.chain}`, step.rule);
          break;
        case "masquerade":
          this.rule(indent, `${this.when(step.when)}: marked for masquerade (its source address will be rewritten to this node's)`, step.rule);
          break;
        case "detour":
          this.rule(indent, `${this.when(step.when)}: ${step.rule.target.kind === "jump" ? `goes to chain ${step.rule.target.chain} instead` : "leaves this path"}`, step.rule);
          this.flow(indent + 4, entry, step.flow);
          break;
      }
    }
  }

  private flow(indent: number, entry: Entry, flow: Flow): void {
    this.steps(indent, entry, flow.steps);
    this.outcome(indent, entry, flow.outcome);
  }

  private outcome(indent: number, entry: Entry, outcome: Outcome): void {
    switch (outcome.kind) {
      case "drop": {
        const why =
          outcome.rule.verdictReason === "no-local-endpoints"
            ? `this node has no ready endpoint of its own and the Service has ${this.policyName(entry)}, so kube-proxy drops rather than forwards`
            : outcome.rule.verdictReason === "no-endpoints"
              ? "the Service has no ready endpoints"
              : "a rule drops it";
        this.rule(indent, `→ dropped on this node: ${why}; the client gets no answer (timeout)`, outcome.rule);
        if (outcome.rule.target.kind === "drop-mark") {
          this.line(indent + 4, "(KUBE-MARK-DROP only marks the packet; the kubelet's KUBE-FIREWALL rule drops marked packets)");
          if (this.explanation.markDropWritten === false) {
            this.line(
              indent + 4,
              "(these rules hold no KUBE-MARK-DROP rule: the kubelet's rules are missing here, so the packet would go on unmarked to the node, where nothing listens: refused)",
            );
          }
        }
        return;
      }
      case "reject":
        this.rule(indent, "→ refused: the Service has no ready endpoints, so kube-proxy REJECTs (ICMP port unreachable → \"connection refused\" at once)", outcome.rule);
        this.line(indent + 4, "(the kernel rate-limits those ICMP answers, so in a burst some attempts time out instead)");
        return;
      case "none":
        this.line(indent, `→ no rule of chain ${outcome.chain} decides: the packet goes on to its original destination unchanged`);
        return;
      case "endpoints":
        this.endpoints(indent, entry, outcome);
        return;
    }
  }

  private endpoints(indent: number, entry: Entry, outcome: Extract<Outcome, { kind: "endpoints" }>): void {
    const which = outcome.local ? `this node's endpoints only (${this.policyName(entry)})` : "the Service's ready endpoints";
    const seen = this.printedChoices.get(outcome.chain);
    if (seen !== undefined) {
      this.line(indent, `→ ${which}: the same choice as in ${seen} (chain ${outcome.chain})`);
      return;
    }
    this.printedChoices.set(outcome.chain, `${this.currentEntry}`);
    const n = outcome.choices.length;
    this.line(indent, `→ ${which}: ${n === 1 ? "1 endpoint" : `one of ${n} endpoints`}${n > 1 ? ", chosen at random for each new connection" : ""} (chain ${outcome.chain})`);
    if (outcome.affinitySeconds !== undefined) {
      this.line(
        indent + 4,
        `session affinity: a client (by source address) that connected within the last ${duration(outcome.affinitySeconds)} goes back to the same endpoint; only its first connection is chosen at random`,
      );
    }
    let remaining = 1;
    for (const choice of outcome.choices) {
      this.choice(indent + 4, choice, remaining);
      remaining -= choice.share;
    }
    if (outcome.leftover > 1e-9) this.line(indent + 4, `${percent(outcome.leftover)} of connections match no endpoint rule and go on unchanged`);
  }

  private choice(indent: number, choice: EndpointChoice, remaining: number): void {
    this.line(indent, `${percent(choice.share).padStart(6)}  ${choice.address}:${choice.port}  ${this.podText(choice.address)}`);
    const probability = choice.rule.probability;
    const how =
      probability !== undefined
        ? `picked with probability ${probability}${remaining < 1 ? ` of the ${percent(remaining)} not picked before` : ""}`
        : choice.rule.target.kind === "random-map"
          ? `picked by numgen random mod ${choice.rule.target.modulus}`
          : remaining < 1
            ? `takes the ${percent(remaining)} left`
            : "the only endpoint";
    this.rule(indent + 8, how, choice.rule);
    if (choice.sticky !== undefined) this.rule(indent + 8, "a returning client comes straight here", choice.sticky);
    if (choice.remember !== undefined && choice.remember !== choice.dnat) this.rule(indent + 8, "the client's address is remembered for affinity", choice.remember);
    const remembers = choice.remember === choice.dnat ? "; the client's address is remembered for affinity" : "";
    this.rule(indent + 8, `destination rewritten (DNAT) to ${choice.address}:${choice.port}${remembers}`, choice.dnat);
    if (choice.hairpin !== undefined) this.rule(indent + 8, "if the pod is its own client (hairpin): masqueraded, so the reply comes back through the node", choice.hairpin);
  }

  private clients(indent: number, item: ExplainedEntry): void {
    const clients: readonly Client[] = item.entry.kind === "cluster-ip" ? ["pod", "node"] : ["outside", "pod", "node"];
    this.line(indent, "who gets what:");
    for (const client of clients) {
      const path = followFor(item.flow, client, this.explanation.podRanges);
      this.line(indent + 2, `${CLIENT_LABEL[client]}: ${this.clientOutcome(path.outcome, path.masquerade.length > 0, client)}`);
    }
  }

  private clientOutcome(outcome: Outcome, masqueraded: boolean, client: Client): string {
    switch (outcome.kind) {
      case "drop":
        return "dropped (no answer)";
      case "reject":
        return "refused";
      case "none":
        return "no Service rule applies";
      case "endpoints": {
        const n = outcome.choices.length;
        const where = `${n === 1 ? "the 1 endpoint" : `one of ${n} endpoints`}${outcome.local ? " on this node" : ""}`;
        const sees =
          client === "node"
            ? `the pod sees an address of this node${masqueraded ? " (masqueraded)" : ""}`
            : masqueraded
              ? "the pod sees an address of this node (masqueraded), not the client's"
              : "the pod sees the client's own address";
        return `${where}; ${sees}`;
      }
    }
  }

  private notReady(indent: number, port: ExplainedPort): void {
    if (this.context.objects === undefined) return;
    const chosen = new Set<string>();
    for (const item of port.entries) collectAddresses(item.flow, chosen);
    const waiting: string[] = [];
    for (const slice of slicesOf(this.context.objects, this.explanation.namespace, this.explanation.service)) {
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) for (const address of endpoint.addresses) if (!chosen.has(address)) waiting.push(`${address} ${this.podText(address)}`);
      }
    }
    if (waiting.length > 0) this.line(indent, `not ready, so no rule sends traffic there: ${waiting.join("; ")}`);
  }

  render(): string {
    const { namespace, service, mode, object } = this.explanation;
    const spec = object?.spec;
    const facts = [
      spec?.type !== undefined ? `type ${spec.type}` : undefined,
      spec?.sessionAffinity === "ClientIP" ? "sessionAffinity ClientIP" : undefined,
      spec?.externalTrafficPolicy === "Local" ? "externalTrafficPolicy Local" : undefined,
      spec?.internalTrafficPolicy === "Local" ? "internalTrafficPolicy Local" : undefined,
    ].filter((f): f is string => f !== undefined);
    this.line(0, `${namespace}/${service}${facts.length > 0 ? ` (${facts.join(", ")})` : ""} on node ${this.context.node ?? "(the node the rules were saved on)"}, kube-proxy ${mode} mode`);
    this.line(2, `rules: ${this.context.rulesOrigin}`);
    this.line(2, this.context.objects !== undefined ? `names: ${this.context.objects.origin}` : `names: unknown (${this.context.namesUnknownBecause ?? "no Kubernetes API and no --objects"}); endpoints are shown by address`);
    let number = 0;
    for (const port of this.explanation.ports) {
      this.line(0, "");
      this.line(0, `port ${port.ref.port === "" ? "(unnamed)" : port.ref.port}`);
      for (const item of port.entries) {
        number += 1;
        this.currentEntry = `${number}.`;
        this.line(2, `${number}. ${this.entryTitle(item.entry)}`);
        this.flow(5, item.entry, item.flow);
        this.clients(5, item);
      }
      this.notReady(2, port);
    }
    return `${this.lines.join("\n")}\n`;
  }
}

function collectAddresses(flow: Flow, into: Set<string>): void {
  if (flow.outcome.kind === "endpoints") for (const c of flow.outcome.choices) into.add(c.address);
  for (const step of flow.steps) if (step.kind === "detour") collectAddresses(step.flow, into);
}

function renderNoRules(explanation: Extract<Explanation, { kind: "no-rules" }>, context: RenderContext): string {
  const { namespace, service, object } = explanation;
  const lines = [`${namespace}/${service} on node ${context.node ?? "(the node the rules were saved on)"}: no kube-proxy rules at all, and none are needed`];
  if (explanation.why === "external-name") {
    const target = object.spec?.externalName ?? "(no externalName)";
    lines.push(
      `  type ExternalName: the Service has no address of its own. The cluster DNS answers ${service}.${namespace}.svc.<cluster domain>`,
      `  with a CNAME to ${target}; the client then resolves that name and connects to its address, so the path is that target's path.`,
    );
  } else {
    lines.push(
      "  headless (clusterIP: None): there is no virtual IP to translate. The cluster DNS answers the Service's name with one A",
      "  record per ready pod; the client picks one and connects straight to the pod: no DNAT, no masquerade, the pod sees the client's own address.",
    );
    if (context.objects !== undefined) {
      const names = podsByAddress(context.objects);
      const ready = slicesOf(context.objects, namespace, service).flatMap((slice) =>
        (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
      );
      for (const address of ready) {
        const pod = names.get(address);
        lines.push(`    A ${address}${pod !== undefined ? `  pod ${pod.pod}${pod.node !== undefined ? ` on ${pod.node}` : ""}` : ""}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The explanation as text for a terminal. */
export function renderExplanation(explanation: Explanation, context: RenderContext): string {
  return explanation.kind === "no-rules" ? renderNoRules(explanation, context) : new Printer(explanation, context).render();
}
