/**
 * Reads `nft list ruleset` output of kube-proxy's nftables mode (KEP-3866)
 * into a {@link Ruleset}. Entry points are the elements of kube-proxy's
 * verdict maps (`service-ips`, `service-nodeports`, `no-endpoint-services`,
 * `no-endpoint-nodeports`); per-Service chains are followed by their jumps.
 * The Service port is read from the chain name kube-proxy gives
 * (`service-HASH-ns/name/proto/port`) or the element's comment (`ns/name:port`).
 * Only `table ip kube-proxy` / `table ip6 kube-proxy` are read; other tables are skipped.
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3866-nftables-proxy
 */
import { parsePortRef, splitWords } from "./iptables-save";
import { RulesFormatError, type Entry, type EntryKind, type Rule, type Ruleset, type ServicePortRef, type SourceMatch, type Target } from "./ruleset";

/** True when the text is shaped like `nft list ruleset` output (a `table FAMILY NAME {` line first). */
export function looksLikeNftRuleset(text: string): boolean {
  const first = text.split("\n").find((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  return first !== undefined && /^table\s+(ip|ip6|inet|arp|bridge|netdev)\s+\S+\s*\{\s*$/.test(first.trim());
}

/** Counts braces outside double quotes. */
function braceDelta(line: string): number {
  let delta = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === "{") delta++;
    else if (!quoted && c === "}") delta--;
  }
  return delta;
}

/** A block (`set`, `map`, `chain`) of a kube-proxy table: its header words and its statements (multi-line ones joined). */
interface Block {
  readonly kind: "set" | "map" | "chain";
  readonly name: string;
  readonly statements: string[];
}

/** `3h`, `10800s`, `1h30m` → seconds. */
export function nftDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)(d|h|m|s|ms)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  const unit: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] as string] as number), 0);
}

/** Splits the text into the kube-proxy tables' blocks. */
function readBlocks(text: string, origin: string): { family: string; blocks: Block[] }[] {
  const tables: { family: string; blocks: Block[] }[] = [];
  const lines = text.split("\n");
  let depth = 0;
  let table: { family: string; blocks: Block[] } | undefined;
  let block: Block | undefined;
  let pending = "";
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (depth === 0) {
      const match = /^table\s+(\S+)\s+(\S+)\s*\{$/.exec(line);
      if (match === null) throw new RulesFormatError(`${origin}: line ${n + 1} is not nft list ruleset output (${JSON.stringify(line.slice(0, 60))}); allowed: the output of iptables-save or nft list ruleset`);
      table = match[2] === "kube-proxy" ? { family: match[1] as string, blocks: [] } : undefined;
      if (table !== undefined) tables.push(table);
      depth = 1;
      continue;
    }
    if (depth === 1 && pending === "") {
      if (line === "}") {
        depth = 0;
        continue;
      }
      const header = /^(set|map|chain)\s+(\S+)\s*\{$/.exec(line);
      if (header !== null) {
        block = { kind: header[1] as Block["kind"], name: header[2] as string, statements: [] };
        table?.blocks.push(block);
        depth = 2;
        continue;
      }
      // Table-level statements (`comment "…"`, `flags …`) or other objects: skip, keeping braces balanced.
      depth += braceDelta(line);
      continue;
    }
    if (depth === 2 && pending === "" && line === "}") {
      depth = 1;
      block = undefined;
      continue;
    }
    // Inside a block: a statement may span lines (element lists); join until its braces balance.
    pending = pending === "" ? line : `${pending} ${line}`;
    if (braceDelta(pending) > 0) continue;
    block?.statements.push(pending);
    pending = "";
  }
  if (depth !== 0) throw new RulesFormatError(`${origin}: unbalanced braces: not complete nft list ruleset output`);
  return tables;
}

/** Words of a statement, with `{ … }` groups kept as one word. */
function words(statement: string): string[] {
  const raw = splitWords(statement.replace(/\{/g, " { ").replace(/\}/g, " } ").replace(/,/g, " , "));
  const out: string[] = [];
  let group: string[] | undefined;
  let depth = 0;
  for (const word of raw) {
    if (word === "{") {
      depth++;
      if (depth === 1) {
        group = [];
        continue;
      }
    }
    if (word === "}") {
      depth--;
      if (depth === 0) {
        out.push(`{ ${(group ?? []).join(" ")} }`);
        group = undefined;
        continue;
      }
    }
    if (group !== undefined) group.push(word);
    else out.push(word);
  }
  return out;
}

/** The Service port in a kube-proxy chain name: `service-HASH-ns/name/proto/port[__ip/port]`. */
export function portRefOfChain(chain: string): ServicePortRef | undefined {
  const match = /^[a-z]+-[A-Z0-9]{8}-([^/]+)\/([^/]+)\/([a-z]+)\/([^_]*)/.exec(chain);
  if (match === null) return undefined;
  return { namespace: match[1] as string, name: match[2] as string, port: match[4] as string };
}

function verdictTarget(verb: string, chain: string | undefined): Target {
  if (verb === "drop") return { kind: "drop" };
  if (verb === "reject") return { kind: "reject" };
  if (chain === "mark-for-masquerade") return { kind: "masq-mark" };
  if (chain === "reject-chain") return { kind: "reject" };
  return chain !== undefined ? { kind: "jump", chain } : { kind: "other", text: verb };
}

/** One chain statement → a rule. */
function parseStatement(table: string, chain: string, index: number, statement: string, affinityTimeouts: ReadonlyMap<string, number>): Rule {
  const w = words(statement);
  const sources: SourceMatch[] = [];
  let destination: Rule["destination"];
  let destinationNodeLocal = false;
  let protocol: string | undefined;
  let destinationPort: number | undefined;
  let comment: string | undefined;
  let affinityCheck: Rule["affinityCheck"];
  let target: Target = { kind: "other", text: statement };
  for (let i = 0; i < w.length; i++) {
    const word = w[i] as string;
    const next = w[i + 1];
    if ((word === "ip" || word === "ip6") && (next === "saddr" || next === "daddr")) {
      let value = w[i + 2] ?? "";
      let negated = false;
      i += 2;
      if (value === "!=") {
        negated = true;
        value = w[++i] ?? "";
      }
      const single = value.replace(/^\{ (.*) \}$/, "$1");
      if (next === "saddr") {
        if (value.startsWith("@")) affinityCheck = { name: value.slice(1), seconds: affinityTimeouts.get(value.slice(1)) };
        else sources.push({ kind: "cidr", cidr: single, negated });
      } else if (value === "@nodeport-ips") destinationNodeLocal = true;
      else destination = { address: single, negated };
    } else if (word === "fib" && (next === "saddr" || next === "daddr") && w[i + 2] === "type") {
      const negated = w[i + 3] === "!=";
      const type = w[i + (negated ? 4 : 3)];
      if (type === "local") {
        if (next === "saddr") sources.push({ kind: "node-local", negated });
        else destinationNodeLocal = !negated;
      }
      i += negated ? 4 : 3;
    } else if (word === "iifname" || word === "iif") {
      let value = w[++i] ?? "";
      let negated = false;
      if (value === "!=") {
        negated = true;
        value = w[++i] ?? "";
      }
      sources.push({ kind: "interface", name: value, negated });
    } else if (word === "meta" && next === "l4proto") {
      protocol = w[i + 2];
      i += 2;
    } else if ((word === "tcp" || word === "udp" || word === "sctp") && next === "dport") {
      protocol = word;
      destinationPort = Number(w[i + 2]);
      i += 2;
    } else if (word === "th" && next === "dport") {
      destinationPort = Number(w[i + 2]);
      i += 2;
    } else if (word === "comment") {
      comment = w[++i];
    } else if (word === "jump" || word === "goto") {
      target = verdictTarget(word, w[++i]);
    } else if (word === "drop" || word === "reject") {
      target = verdictTarget(word, undefined);
    } else if (word === "dnat") {
      const to = w[i + 1] === "to" ? w[i + 2] : w[i + 1] === "ip" && w[i + 2] === "to" ? w[i + 3] : undefined;
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(to ?? "");
      if (match !== null) target = { kind: "dnat", address: match[1] as string, port: Number(match[2]) };
    } else if (word === "numgen" && next === "random" && w[i + 2] === "mod") {
      const modulus = Number(w[i + 3]);
      const map = w.slice(i + 4).find((x) => x.startsWith("{ ")) ?? "";
      const slots = [...map.matchAll(/(\d+)\s*:\s*goto\s+(\S+)/g)].map((m) => ({ index: Number(m[1]), chain: m[2] as string }));
      target = { kind: "random-map", modulus, slots };
      break;
    } else if (word === "update" && next?.startsWith("@") === true) {
      target = { kind: "affinity-record", set: next.slice(1) };
      i++;
    }
  }
  return {
    table,
    chain,
    index,
    text: statement,
    ...(comment !== undefined ? { comment } : {}),
    sources,
    ...(destination !== undefined ? { destination } : {}),
    ...(destinationNodeLocal ? { destinationNodeLocal } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(destinationPort !== undefined ? { destinationPort } : {}),
    ...(affinityCheck !== undefined ? { affinityCheck } : {}),
    target,
  };
}

/** The elements of a map: `key [comment "…"] : verdict`, in order. */
function mapElements(block: Block): { key: string[]; comment?: string; verb: string; chain?: string; text: string }[] {
  const statement = block.statements.find((s) => s.startsWith("elements"));
  if (statement === undefined) return [];
  const body = statement.replace(/^elements\s*=\s*\{/, "").replace(/\}\s*$/, "");
  return body
    .split(",")
    .map((element) => element.trim())
    .filter((element) => element !== "")
    .map((element) => {
      const [left = "", right = ""] = element.split(/\s:\s/);
      const leftWords = splitWords(left);
      const commentAt = leftWords.indexOf("comment");
      const key = (commentAt === -1 ? leftWords : leftWords.slice(0, commentAt)).filter((x) => x !== ".");
      const comment = commentAt === -1 ? undefined : leftWords[commentAt + 1];
      const [verb = "", chain] = right.trim().split(/\s+/);
      return { key, ...(comment !== undefined ? { comment } : {}), verb, ...(chain !== undefined ? { chain } : {}), text: `${block.name}: ${element}` };
    });
}

/**
 * Parses `nft list ruleset` text (kube-proxy's tables only).
 * @throws RulesFormatError when the text is not nft output or holds no kube-proxy table
 */
export function parseNftRuleset(text: string, origin: string): Ruleset {
  const tables = readBlocks(text, origin);
  if (tables.length === 0) throw new RulesFormatError(`${origin}: nft output without a kube-proxy table; allowed: nft list ruleset of a node where kube-proxy runs in nftables mode`);
  const chains = new Map<string, Map<string, Rule[]>>();
  const entries: Entry[] = [];
  const podRanges = new Set<string>();
  for (const { family, blocks } of tables) {
    const tableName = `${family} kube-proxy`;
    const byName = new Map<string, Rule[]>();
    chains.set(tableName, byName);
    const affinityTimeouts = new Map<string, number>();
    const clusterIps = new Set<string>();
    for (const block of blocks) {
      if (block.kind !== "set") continue;
      const timeout = block.statements.map((s) => /^timeout\s+(\S+)$/.exec(s)?.[1]).find((t) => t !== undefined);
      const seconds = timeout === undefined ? undefined : nftDuration(timeout);
      if (seconds !== undefined) affinityTimeouts.set(block.name, seconds);
      if (block.name === "cluster-ips") for (const e of mapElements({ ...block, name: block.name })) for (const k of e.key) clusterIps.add(k);
    }
    for (const block of blocks) {
      if (block.kind !== "chain") continue;
      const rules = block.statements
        .filter((s) => !/^(type|policy|comment|devices)\b/.test(s))
        .map((s, i) => parseStatement(tableName, block.name, i + 1, s, affinityTimeouts));
      byName.set(block.name, rules);
      for (const rule of rules) {
        const cidr = rule.sources.find((s): s is Extract<SourceMatch, { kind: "cidr" }> => s.kind === "cidr");
        if (cidr === undefined) continue;
        if (cidr.negated && rule.target.kind === "masq-mark" && block.name.startsWith("service-")) podRanges.add(cidr.cidr);
        if (!cidr.negated && rule.comment === "short-circuit pod traffic") podRanges.add(cidr.cidr);
      }
    }
    for (const block of blocks) {
      if (block.kind !== "map") continue;
      const elements = mapElements(block);
      elements.forEach((element, i) => {
        const target = verdictTarget(element.verb, element.chain);
        const ref = element.comment !== undefined ? parsePortRef(element.comment) : element.chain !== undefined ? portRefOfChain(element.chain) : undefined;
        if (ref === undefined) return;
        const nodePortMap = block.name === "service-nodeports" || block.name === "no-endpoint-nodeports";
        const serviceMap = block.name === "service-ips" || block.name === "no-endpoint-services";
        if (!nodePortMap && !serviceMap) return;
        const [address, protocol, port] = nodePortMap ? [undefined, element.key[0], element.key[1]] : [element.key[0], element.key[1], element.key[2]];
        const isVerdictMap = block.name.startsWith("no-endpoint-");
        const reason = isVerdictMap ? (target.kind === "reject" ? "no-endpoints" : "no-local-endpoints") : undefined;
        const rule: Rule = {
          table: tableName,
          chain: block.name,
          index: i + 1,
          text: element.text,
          ...(element.comment !== undefined ? { comment: element.comment } : {}),
          sources: [],
          ...(address !== undefined ? { destination: { address, negated: false } } : { destinationNodeLocal: true }),
          ...(protocol !== undefined ? { protocol } : {}),
          destinationPort: Number(port),
          target,
          ...(reason !== undefined ? { verdictReason: reason } : {}),
        };
        let kind: EntryKind = "node-port";
        if (address !== undefined) {
          const toService = element.chain?.startsWith("service-") === true;
          kind = clusterIps.has(address) || toService ? "cluster-ip" : "external-ip";
        }
        entries.push({ kind, service: ref, ...(address !== undefined ? { address } : {}), port: Number(port), protocol: (protocol ?? "tcp").toUpperCase(), rule });
      });
    }
  }
  return {
    mode: "nftables",
    entries,
    podRanges: [...podRanges],
    chain: (table, name) => chains.get(table)?.get(name),
  };
}
