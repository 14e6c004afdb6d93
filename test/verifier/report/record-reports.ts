/**
 * Records the JSON reports the report views are tested on, by running the
 * real verifier against loopback stand-in worlds:
 *
 *   npx ts-node --transpile-only test/verifier/report/record-reports.ts
 *
 * - `default-pass.json`: the default lab, every rule holds;
 * - `failures.json`: the default lab with faults that break rules (✗) and a
 *   node without a probe agent (! could not run);
 * - `five-nodes.json`: a control plane and four workers.
 *
 * Only loopback is used: the outside DNS probe (which would ask this
 * machine's resolver) is left out, as in the verifier's e2e tests.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJson } from "../../../verifier/report/json";
import { buildWorld, type WorldSpecOverrides } from "../../support/standin";
import { verifyWorld } from "../../verifier-e2e/verify-helpers";

export const RECORDED_REPORTS = join(__dirname, "..", "..", "fixtures", "verify-reports");

const WORLDS: Readonly<Record<string, WorldSpecOverrides>> = {
  "default-pass": {},
  failures: {
    faults: {
      clusterIPAnswersFromOutside: ["backend"],
      silentLoadBalancers: ["frontend-lb"],
      pinnedServices: ["frontend-nodeport"],
      dnsMissing: ["backend"],
      missingProbeAgents: ["svclab-worker2"],
    },
  },
  "five-nodes": {
    nodes: [
      { name: "svclab-control-plane", role: "control-plane" },
      { name: "svclab-worker", role: "worker" },
      { name: "svclab-worker2", role: "worker" },
      { name: "svclab-worker3", role: "worker" },
      { name: "svclab-worker4", role: "worker" },
    ],
    workloads: [
      { component: "frontend", replicas: 4 },
      { component: "backend", replicas: 2 },
    ],
  },
};

async function record(name: string, overrides: WorldSpecOverrides): Promise<void> {
  const world = await buildWorld(overrides);
  try {
    const report = await verifyWorld(world, { deadlineMs: name === "default-pass" || name === "five-nodes" ? 4000 : 1500 });
    writeFileSync(join(RECORDED_REPORTS, `${name}.json`), renderJson(report));
    process.stdout.write(`${name}: ${report.summary.pass} passed, ${report.summary.fail} failed, ${report.summary.error} errors, ${report.summary.skipped} skipped\n`);
  } finally {
    await world.close();
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  for (const [name, overrides] of Object.entries(WORLDS)) if (only === undefined || only === name) await record(name, overrides);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
