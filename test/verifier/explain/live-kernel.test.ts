/**
 * Rules read live from a kernel, as on kind: each node's captured rules are
 * restored into a network namespace this test creates (no interfaces, no
 * traffic), and `svclab explain` reads them back through the `docker exec
 * <node> iptables-save` path, answered by `ip netns exec <ns> iptables-save`.
 * What the kernel's iptables-save prints (its own order and spelling of the
 * matches) must explain exactly as the captured file does.
 *
 * Needs root, `ip netns` and iptables; skipped elsewhere, saying why.
 */
import * as fs from "node:fs";
import { explain, type Explanation } from "../../../verifier/explain/explain";
import { followFor, type Client } from "../../../verifier/explain/flow";
import type { Ruleset } from "../../../verifier/explain/ruleset";
import { readRulesFromKindNode } from "../../../verifier/explain/sources";
import { checkRealKernel, FAMILY_PREFIX } from "../../support/realkernel";
import { inNamespace, run } from "../../support/realkernel/commands";
import { captureNodes, NOT_READY_DIR, objectsOf, rulesFile, rulesOf } from "./capture";

const check = checkRealKernel(rulesFile("svclab-worker"));
if (!check.ok) process.stderr.write(`svclab explain live-kernel test skipped (not run, not passed): ${check.reasons.join("; ")}\n`);
const describeKernel = check.ok ? describe : describe.skip;

/** Every path of a Service as plain data: entry, client, outcome, endpoint shares, masquerade. */
function summary(explanation: Explanation, ruleset: Ruleset): unknown[] {
  if (explanation.kind !== "paths") return [explanation.kind];
  return explanation.ports.flatMap((port) =>
    port.entries.flatMap((item) =>
      (["outside", "pod", "node"] as Client[]).map((client) => {
        const path = followFor(item.flow, client, ruleset.podRanges);
        const outcome = path.outcome;
        return {
          entry: `${item.entry.kind} ${item.entry.address ?? "*"}:${item.entry.port}`,
          client,
          masqueraded: path.masquerade.length > 0,
          outcome: outcome.kind,
          endpoints: outcome.kind === "endpoints" ? outcome.choices.map((c) => `${c.address}:${c.port} ${c.share.toFixed(9)}`) : [],
          affinity: outcome.kind === "endpoints" ? outcome.affinitySeconds : undefined,
        };
      }),
    ),
  );
}

describeKernel("svclab explain on rules read live from a kernel (ip netns exec … iptables-save)", () => {
  const namespace = `${FAMILY_PREFIX}${process.pid}-explain`;
  const tools = check.ok ? check.iptables : undefined;

  beforeAll(async () => {
    await run(["ip", "netns", "add", namespace]);
  });

  afterAll(async () => {
    await run(["ip", "netns", "del", namespace]).catch(() => undefined);
  });

  const cases = [
    ...captureNodes().map((node) => ({ node, scenario: "ready", dir: undefined as string | undefined })),
    ...captureNodes().map((node) => ({ node, scenario: "backend-not-ready", dir: NOT_READY_DIR as string | undefined })),
  ];

  it.each(cases)("$node ($scenario): every Service explains as from the captured file", async ({ node, dir }) => {
    if (tools === undefined) return;
    const file = rulesFile(node, dir);
    await inNamespace(namespace, [tools.restore], fs.readFileSync(file, "utf8"));
    const calls: string[] = [];
    const live = await readRulesFromKindNode(node, async (program, args) => {
      calls.push([program, ...args].join(" "));
      if (args[0] !== "exec" || args[2] !== "iptables-save") throw new Error(`unexpected ${program} ${args.join(" ")}`);
      return inNamespace(namespace, [tools.save]);
    });
    expect(calls).toEqual([`docker exec ${node} iptables-save`]);
    const captured = rulesOf(node, dir);
    const objects = objectsOf(dir);
    const services = ["backend", "frontend-nodeport", "frontend-lb", "frontend-local", "frontend-sticky", "frontend-internal-local", "backend-headless", "backend-external"];
    for (const service of services) {
      const fromKernel = summary(explain({ ruleset: live.ruleset, namespace: "svclab", service, node, objects }), live.ruleset);
      const fromFile = summary(explain({ ruleset: captured, namespace: "svclab", service, node, objects }), captured);
      expect({ service, paths: fromKernel }).toEqual({ service, paths: fromFile });
    }
  });
});
