/**
 * Whether a network-namespace world can run here, and with which iptables.
 * Synchronous on purpose: a test file decides `describe` or `describe.skip`
 * while it loads. The check builds nothing that outlives it: one throwaway
 * namespace, where the captured rules of one node are restored to learn
 * which iptables backend the kernel accepts them with.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { FAMILY_PREFIX } from "./names";

/** The iptables commands a world uses; `ip netns exec <node> <save>` shows a node's rules. */
export interface IptablesTools {
  /** `nf_tables` or `legacy`: the kernel interface the rules live in. */
  readonly backend: "nf_tables" | "legacy";
  readonly restore: string;
  readonly save: string;
  readonly iptables: string;
}

export type RealKernelCheck = { readonly ok: true; readonly iptables: IptablesTools } | { readonly ok: false; readonly reasons: readonly string[] };

const TOOLS: Record<IptablesTools["backend"], IptablesTools> = {
  nf_tables: { backend: "nf_tables", restore: "iptables-nft-restore", save: "iptables-nft-save", iptables: "iptables-nft" },
  legacy: { backend: "legacy", restore: "iptables-legacy-restore", save: "iptables-legacy-save", iptables: "iptables-legacy" },
};

function runs(argv: readonly string[], input?: string): { ok: boolean; output: string } {
  const result = spawnSync(argv[0], argv.slice(1), { input, encoding: "utf8", timeout: 30_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error?.message ?? ""}`.trim() };
}

/** The backend plain `iptables` uses here (`iptables -V` prints `(nf_tables)` or `(legacy)`), tried first. */
function preferredOrder(): IptablesTools[] {
  const version = runs(["iptables", "-V"]).output;
  return /legacy/.test(version) ? [TOOLS.legacy, TOOLS.nf_tables] : [TOOLS.nf_tables, TOOLS.legacy];
}

/**
 * What keeps the world from running here (root, Linux, `ip netns`, an iptables
 * that accepts kube-proxy's captured rules), or the iptables tools to use.
 * @param rulesFile a captured `iptables-save` file to try
 */
export function checkRealKernel(rulesFile: string): RealKernelCheck {
  if (process.platform !== "linux") return { ok: false, reasons: [`network namespaces need Linux, this is ${process.platform}`] };
  const reasons: string[] = [];
  if (process.getuid?.() !== 0) reasons.push("not root (network namespaces and iptables need root)");
  if (!runs(["ip", "-V"]).ok) reasons.push("iproute2's `ip` is not installed (apt-get install iproute2)");
  if (!runs(["iptables", "-V"]).ok) reasons.push("iptables is not installed (apt-get install iptables)");
  if (reasons.length > 0) return { ok: false, reasons };
  const scratch = `${FAMILY_PREFIX}${process.pid}-check`;
  const added = runs(["ip", "netns", "add", scratch]);
  if (!added.ok) return { ok: false, reasons: [`cannot create a network namespace: ${added.output}`] };
  try {
    const rules = fs.readFileSync(rulesFile, "utf8");
    const refusals: string[] = [];
    for (const tools of preferredOrder()) {
      const restored = runs(["ip", "netns", "exec", scratch, tools.restore], rules);
      if (restored.ok) return { ok: true, iptables: tools };
      refusals.push(`${tools.restore}: ${restored.output.split("\n").slice(-2).join(" ")}`);
    }
    return { ok: false, reasons: [`the kernel refuses kube-proxy's captured rules (${path.basename(rulesFile)}) with both iptables backends: ${refusals.join("; ")}`] };
  } finally {
    runs(["ip", "netns", "del", scratch]);
  }
}
