/**
 * Where the rules come from: a file (`--iptables-save FILE`: one node's
 * `iptables-save` or `nft list ruleset` output) or, on kind, the node
 * container itself (`docker exec <node> iptables-save`, then
 * `nft list ruleset` when kube-proxy runs in nftables mode). Privileged pods
 * are never started: on other clusters the user saves the file on the node.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { looksLikeIpvsMode, looksLikeIptablesSave, parseIptablesSave } from "./iptables-save";
import { looksLikeNftRuleset, parseNftRuleset } from "./nft-ruleset";
import { RulesFormatError, type Ruleset } from "./ruleset";

/** Rules that svclab explain does not read (IPVS mode, or no kube-proxy rules at all): one line, exit 2. */
export class RulesUnavailableError extends Error {
  override readonly name = "RulesUnavailableError";
}

/** How to save the rules on a node of a cluster that is not kind. */
export const SAVE_RULES_HINT =
  "on a node of any cluster, save them with `iptables-save > FILE` (or `nft list ruleset > FILE` for kube-proxy's nftables mode) and pass --iptables-save FILE";

const IPVS_MESSAGE =
  "kube-proxy runs in IPVS mode there: svclab explain does not explain IPVS (its endpoint choice lives in the kernel's IPVS tables, `ipvsadm -Ln`, not in iptables rules)";

/** Parses either format, telling IPVS mode apart. */
export function parseRules(text: string, origin: string): Ruleset {
  if (looksLikeIptablesSave(text)) {
    if (looksLikeIpvsMode(text)) throw new RulesUnavailableError(`${origin}: ${IPVS_MESSAGE}`);
    return parseIptablesSave(text, origin);
  }
  if (looksLikeNftRuleset(text)) return parseNftRuleset(text, origin);
  const first = text.split("\n").find((line) => line.trim() !== "") ?? "";
  throw new RulesFormatError(
    `${origin}: not iptables-save or nft output (it starts ${JSON.stringify(first.slice(0, 60))}); allowed: the output of iptables-save or nft list ruleset on one node`,
  );
}

/** Reads `--iptables-save FILE`. */
export function readRulesFile(file: string): { ruleset: Ruleset; origin: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new RulesFormatError(`--iptables-save ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); allowed: a readable file with one node's iptables-save output`);
  }
  return { ruleset: parseRules(text, `--iptables-save ${file}`), origin: file };
}

/** Runs a program and returns its stdout; a failure is a one-line error. */
export type RunProgram = (program: string, args: readonly string[]) => Promise<string>;

/** Runs `docker …` for real, bounded in time and output. */
export const runProgram: RunProgram = (program, args) =>
  new Promise((resolve, reject) => {
    execFile(program, [...args], { timeout: 60_000, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err === null) {
        resolve(stdout);
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      const detail = code === "ENOENT" ? `${program} is not on PATH` : (stderr.trim().split("\n")[0] ?? "") || err.message.split("\n")[0] || "failed";
      reject(new RulesUnavailableError(`\`${program} ${args.join(" ")}\`: ${detail}`));
    });
  });

/** The address family of the Service to explain: which of `iptables-save` / `ip6tables-save` is read first. */
export type IpFamily = "IPv4" | "IPv6";

/**
 * Reads a kind node's rules through its container: `iptables-save` (or
 * `ip6tables-save` first for an IPv6 Service); when neither holds
 * kube-proxy's chains, nftables (`table ip kube-proxy` / `ip6 kube-proxy`).
 */
export async function readRulesFromKindNode(node: string, run: RunProgram = runProgram, family: IpFamily = "IPv4"): Promise<{ ruleset: Ruleset; origin: string }> {
  const tools = family === "IPv6" ? ["ip6tables-save", "iptables-save"] : ["iptables-save", "ip6tables-save"];
  for (const [i, tool] of tools.entries()) {
    const command = `docker exec ${node} ${tool}`;
    let text: string;
    try {
      text = await run("docker", ["exec", node, tool]);
    } catch (err) {
      // The first read tells whether the node can be read at all; the other family's tool may simply be missing.
      if (i === 0) throw new RulesUnavailableError(`cannot read the rules of node ${node}: ${(err as Error).message}; on kind every node is a container of that name; ${SAVE_RULES_HINT}`);
      continue;
    }
    if (looksLikeIptablesSave(text) && looksLikeIpvsMode(text)) throw new RulesUnavailableError(`node ${node}: ${IPVS_MESSAGE}`);
    if (/^:KUBE-SERVICES /m.test(text)) return { ruleset: parseIptablesSave(text, command), origin: command };
  }
  const nftCommand = `docker exec ${node} nft list ruleset`;
  let nft: string;
  try {
    nft = await run("docker", ["exec", node, "nft", "list", "ruleset"]);
  } catch (err) {
    throw new RulesUnavailableError(`node ${node} has no kube-proxy iptables rules, and nftables could not be read: ${(err as Error).message}`);
  }
  if (/^table ip6? kube-proxy /m.test(nft)) return { ruleset: parseNftRuleset(nft, nftCommand), origin: nftCommand };
  throw new RulesUnavailableError(
    `node ${node} has no kube-proxy rules (no KUBE-SERVICES chain in iptables or ip6tables, no table kube-proxy in nftables): is kube-proxy running there, or replaced (e.g. by Cilium)?`,
  );
}
