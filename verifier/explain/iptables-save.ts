/**
 * Reads `iptables-save` output (kube-proxy's iptables mode) into a
 * {@link Ruleset}. Only the rules' meaning is taken from kube-proxy's
 * conventions — its fixed chains (KUBE-SERVICES, KUBE-NODEPORTS,
 * KUBE-MARK-MASQ, KUBE-MARK-DROP) and the `--comment`s naming each Service
 * port; the per-Service chains are followed by their jumps, never by name.
 * https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-iptables
 */
import { RulesFormatError, type Entry, type EntryKind, type Rule, type Ruleset, type ServicePortRef, type SourceMatch, type Target } from "./ruleset";

/** Splits one line into words the way a shell would: double quotes group, backslash escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === "\\" && i + 1 < line.length) current += line[++i];
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Options that take no value (so the next word is not theirs). */
const FLAG_OPTIONS = new Set(["--rcheck", "--set", "--reap", "--rsource", "--rdest", "--update", "--remove", "--random-fully", "--random", "--persistent"]);

/** Parses the words after `-A CHAIN` into a rule. */
function parseRule(table: string, chain: string, index: number, text: string, words: readonly string[], chains: ReadonlySet<string>): Rule {
  const sources: SourceMatch[] = [];
  let destination: Rule["destination"];
  let destinationNodeLocal = false;
  let protocol: string | undefined;
  let destinationPort: number | undefined;
  let comment: string | undefined;
  let probability: number | undefined;
  let recentName: string | undefined;
  let recentSeconds: number | undefined;
  let recentCheck = false;
  let recentSet = false;
  let jump: string | undefined;
  let toDestination: string | undefined;
  let negated = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === "!") {
      negated = true;
      continue;
    }
    const value = (): string => {
      const next = words[i + 1];
      if (next === undefined) throw new RulesFormatError(`rule ${table} ${chain} #${index}: option ${word} has no value`);
      i++;
      return next;
    };
    switch (word) {
      case "-s":
      case "--source":
        sources.push({ kind: "cidr", cidr: value(), negated });
        break;
      case "-d":
      case "--destination":
        destination = { address: value(), negated };
        break;
      case "-i":
      case "--in-interface":
        sources.push({ kind: "interface", name: value(), negated });
        break;
      case "-p":
      case "--protocol":
        protocol = value();
        break;
      case "--dport":
      case "--destination-port":
        destinationPort = Number(value());
        break;
      case "--comment":
        comment = value();
        break;
      case "--probability":
        probability = Number(value());
        break;
      case "--src-type":
        if (value() === "LOCAL") sources.push({ kind: "node-local", negated });
        break;
      case "--dst-type":
        if (value() === "LOCAL" && !negated) destinationNodeLocal = true;
        break;
      case "--name":
        recentName = value();
        break;
      case "--seconds":
        recentSeconds = Number(value());
        break;
      case "--rcheck":
        recentCheck = true;
        break;
      case "--set":
        recentSet = true;
        break;
      case "-j":
      case "--jump":
      case "-g":
      case "--goto":
        jump = value();
        break;
      case "--to-destination":
        toDestination = value();
        break;
      default:
        // Any other option (`-m module`, `--mask`, `--reject-with`, …): skip its value if it has one.
        if (word.startsWith("-") && !FLAG_OPTIONS.has(word) && words[i + 1] !== undefined && !(words[i + 1] as string).startsWith("-")) i++;
    }
    negated = false;
  }
  return {
    table,
    chain,
    index,
    text,
    ...(comment !== undefined ? { comment } : {}),
    sources,
    ...(destination !== undefined ? { destination } : {}),
    ...(destinationNodeLocal ? { destinationNodeLocal } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(destinationPort !== undefined ? { destinationPort } : {}),
    ...(probability !== undefined ? { probability } : {}),
    ...(recentCheck && recentName !== undefined ? { affinityCheck: { name: recentName, seconds: recentSeconds } } : {}),
    ...(recentSet && recentName !== undefined ? { affinitySet: recentName } : {}),
    target: target(jump, toDestination, chains, text),
    ...verdictReason(comment),
  };
}

function verdictReason(comment: string | undefined): Pick<Rule, "verdictReason"> {
  if (comment === undefined) return {};
  if (comment.includes("has no local endpoints")) return { verdictReason: "no-local-endpoints" };
  if (comment.includes("has no endpoints")) return { verdictReason: "no-endpoints" };
  return {};
}

/**
 * The source ranges kube-proxy's local detector uses: the `! -s RANGE` of a
 * ClusterIP masquerade rule ("not from a pod") and the `-s RANGE` of a
 * "pod traffic" short-cut.
 */
function findPodRanges(tables: ReadonlyMap<string, ReadonlyMap<string, readonly Rule[]>>): string[] {
  const ranges = new Set<string>();
  for (const rules of tables.get("nat")?.values() ?? []) {
    for (const rule of rules) {
      const cidr = rule.sources.find((s): s is Extract<SourceMatch, { kind: "cidr" }> => s.kind === "cidr");
      if (cidr === undefined) continue;
      if (cidr.negated && rule.target.kind === "masq-mark" && rule.comment?.endsWith("cluster IP") === true) ranges.add(cidr.cidr);
      if (!cidr.negated && rule.comment?.startsWith("pod traffic for ") === true) ranges.add(cidr.cidr);
    }
  }
  return [...ranges];
}

function target(jump: string | undefined, toDestination: string | undefined, chains: ReadonlySet<string>, text: string): Target {
  switch (jump) {
    case "KUBE-MARK-MASQ":
      return { kind: "masq-mark" };
    case "KUBE-MARK-DROP":
      return { kind: "drop-mark" };
    case "DROP":
      return { kind: "drop" };
    case "REJECT":
      return { kind: "reject" };
    case "DNAT": {
      const match = /^(.+):(\d+)$/.exec(toDestination ?? "");
      if (match === null) return { kind: "other", text };
      return { kind: "dnat", address: (match[1] as string).replace(/^\[(.*)\]$/, "$1"), port: Number(match[2]) };
    }
    case undefined:
      return { kind: "other", text };
    default:
      return chains.has(jump) ? { kind: "jump", chain: jump } : { kind: "other", text };
  }
}

/** `ns/name:port` (or `ns/name`) at the start of a kube-proxy comment. */
export function parsePortRef(text: string): ServicePortRef | undefined {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(:([^\s]*))?$/.exec(text);
  if (match === null) return undefined;
  return { namespace: match[1] as string, name: match[3] as string, port: match[6] ?? "" };
}

/** Which entry a KUBE-SERVICES comment's suffix announces. */
const SERVICES_ENTRY_KINDS: readonly [string, EntryKind][] = [
  ["cluster IP", "cluster-ip"],
  ["loadbalancer IP", "load-balancer"],
  ["external IP", "external-ip"],
];

/** The first word of a comment is the Service port; the rest says what the rule is for. */
function splitComment(comment: string): { ref: ServicePortRef; rest: string } | undefined {
  const space = comment.indexOf(" ");
  const ref = parsePortRef(space === -1 ? comment : comment.slice(0, space));
  return ref === undefined ? undefined : { ref, rest: space === -1 ? "" : comment.slice(space + 1) };
}

/**
 * The entry points kube-proxy declared: nat KUBE-SERVICES (cluster, load
 * balancer and external IPs), nat KUBE-NODEPORTS (node ports), and the filter
 * table's "has no endpoints" rules (REJECT/DROP before any NAT).
 */
function findEntries(tables: ReadonlyMap<string, ReadonlyMap<string, readonly Rule[]>>): Entry[] {
  const entries: Entry[] = [];
  const add = (kind: EntryKind, ref: ServicePortRef, rule: Rule, address: string | undefined): void => {
    if (rule.destinationPort === undefined) return;
    entries.push({ kind, service: ref, ...(address !== undefined ? { address } : {}), port: rule.destinationPort, protocol: (rule.protocol ?? "tcp").toUpperCase(), rule });
  };
  const addressOf = (rule: Rule): string | undefined => rule.destination?.address.replace(/\/(32|128)$/, "");
  for (const table of ["nat", "filter"]) {
    const chains = tables.get(table);
    for (const rule of chains?.get("KUBE-SERVICES") ?? []) {
      const parsed = rule.comment === undefined ? undefined : splitComment(rule.comment);
      if (parsed === undefined || rule.destination === undefined) continue;
      const kind = SERVICES_ENTRY_KINDS.find(([suffix]) => parsed.rest.startsWith(suffix))?.[1];
      // filter KUBE-SERVICES: "has no endpoints" REJECTs name no IP kind; the address says which it is.
      if (kind !== undefined) add(kind, parsed.ref, rule, addressOf(rule));
      else if (table === "filter" && parsed.rest.startsWith("has no")) add("cluster-ip", parsed.ref, rule, addressOf(rule));
    }
    for (const chainName of ["KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES"]) {
      for (const rule of chains?.get(chainName) ?? []) {
        const parsed = rule.comment === undefined ? undefined : splitComment(rule.comment);
        if (parsed === undefined) continue;
        if (table === "nat" && chainName === "KUBE-NODEPORTS") add("node-port", parsed.ref, rule, undefined);
        // filter KUBE-EXTERNAL-SERVICES: node ports (`--dst-type LOCAL`) and external/LB IPs with no (local) endpoints.
        if (table === "filter" && chainName === "KUBE-EXTERNAL-SERVICES" && parsed.rest.startsWith("has no")) {
          add(rule.destination === undefined ? "node-port" : "external-ip", parsed.ref, rule, addressOf(rule));
        }
      }
    }
  }
  return entries;
}

/** True when the text is shaped like `iptables-save` output (a `*table` line before any rule). */
export function looksLikeIptablesSave(text: string): boolean {
  const first = text.split("\n").find((line) => line.trim() !== "" && !line.startsWith("#"));
  return first !== undefined && /^\*[a-z]+$/.test(first.trim());
}

/** Chains kube-proxy's IPVS mode writes into iptables (its choices live in IPVS, not here). */
export function looksLikeIpvsMode(text: string): boolean {
  return /^:KUBE-(LOAD-BALANCER|NODE-PORT) /m.test(text) || /--match-set KUBE-CLUSTER-IP /.test(text);
}

/**
 * Parses `iptables-save` text.
 * @param origin names the text in error messages (a file path or `docker exec … iptables-save`)
 * @throws RulesFormatError naming the first line that is not `iptables-save` output
 */
export function parseIptablesSave(text: string, origin: string): Ruleset {
  const lines = text.split("\n");
  const tables = new Map<string, Map<string, Rule[]>>();
  let table: string | undefined;
  // Chains are declared (`:NAME`) before their rules, so jumps can be told from built-in targets.
  const declared = new Map<string, Set<string>>();
  let currentTable: string | undefined;
  for (const [n, raw] of lines.entries()) {
    const line = raw.trimEnd();
    if (line.startsWith("*")) currentTable = line.slice(1);
    else if (line.startsWith(":") && currentTable !== undefined) {
      const set = declared.get(currentTable) ?? new Set<string>();
      set.add(line.slice(1).split(" ")[0] as string);
      declared.set(currentTable, set);
    } else if (!(line === "" || line.startsWith("#") || line === "COMMIT" || line.startsWith("-A "))) {
      throw new RulesFormatError(`${origin}: line ${n + 1} is not iptables-save output (${JSON.stringify(line.slice(0, 60))}); allowed: the output of iptables-save or nft list ruleset`);
    }
  }
  if (!looksLikeIptablesSave(text)) throw new RulesFormatError(`${origin}: not iptables-save output (no *table line); allowed: the output of iptables-save or nft list ruleset`);
  for (const [n, raw] of lines.entries()) {
    const line = raw.trimEnd();
    if (line.startsWith("*")) {
      table = line.slice(1);
      if (!tables.has(table)) tables.set(table, new Map());
      continue;
    }
    if (!line.startsWith("-A ") || table === undefined) continue;
    const words = splitWords(line);
    const chainName = words[1];
    if (chainName === undefined) throw new RulesFormatError(`${origin}: line ${n + 1} names no chain`);
    const chains = tables.get(table) as Map<string, Rule[]>;
    const rules = chains.get(chainName) ?? [];
    rules.push(parseRule(table, chainName, rules.length + 1, line, words.slice(2), declared.get(table) ?? new Set()));
    chains.set(chainName, rules);
  }
  return {
    mode: "iptables",
    entries: findEntries(tables),
    podRanges: findPodRanges(tables),
    chain: (tableName, name) => tables.get(tableName)?.get(name),
  };
}
