/**
 * svclab's reachability verifier: discover → plan → probe → judge → report.
 *
 * `verify()` proves, by real requests from outside, from a probe pod on every
 * node and through the API server's proxy, which address reaches which pod.
 * It needs only a kubeconfig; it works on clusters svclab did not create.
 */
import { applyApiProxyBudget, defaultApiProxyMax } from "./api-proxy-budget";
import { dataPlaneNote, detectDataPlane } from "./data-plane";
import { discoverSettled } from "./discover";
import { KubeApiError, VerifyOptionError } from "./errors";
import { explainCluster, explanationsNote } from "./explain/during-run";
import type { ReportExplanations } from "./explain/report-model";
import { kubeLists, kubeSystemReads } from "./kube/api";
import { loadKubeTarget } from "./kube/config";
import type { DataPlaneInfo } from "./data-plane";
import type { RunProgram } from "./explain/sources";
import type { Cluster, ReportCluster } from "./model";
import { resolveOptions, type VerifyOptions } from "./options";
import { planProbes } from "./plan";
import { outsideMode } from "./platform";
import { assessNetwork } from "./network";
import { readProbeToken } from "./probe/token";
import { batchedByAgent, liveExecutor, runProbes } from "./run";
import type { ProbeResult } from "./types";

export type { VerifyOptions } from "./options";
export type { ApiProxyMax } from "./api-proxy-budget";
export { LIMITS } from "./options";
export type { ProgressEvent } from "./run";
export type { ProbeResult, ProbeStatus, Observation, Attempt, Identity, Vantage } from "./types";
export type { Cluster, ReportCluster } from "./model";
export { KubeApiError, VerifyOptionError } from "./errors";
export { DATA_PLANE_PROFILES, type DataPlaneInfo, type DataPlaneProfile } from "./data-plane";
export type { NetworkInfo } from "./network";
export type { NodeRulesRecord, ReportExplanations, ServiceExplanationRecord } from "./explain/report-model";
export { RULES, rule, type RuleId, type Rule } from "./rules";
export { planProbes, CHECKS_BY_KIND } from "./plan";
export { runProbes, type ProbeExecutor } from "./run";
export { judge } from "./judge";
export { renderTable } from "./report/table";
export { renderJson } from "./report/json";
export { renderJunit } from "./report/junit";
export { renderMatrix } from "./report/matrix";
export { renderHtml } from "./report/html";
export { renderReport, REPORT_FORMATS, type ReportFormat } from "./report/render";
export { readReport, ReportFileError } from "./report/load";

/** Counts by status. */
export interface VerifySummary {
  readonly pass: number;
  readonly fail: number;
  readonly error: number;
  readonly skipped: number;
  readonly total: number;
}

/** The outcome of a run (CONTRACTS.md, "The verifier library"). */
export interface VerifyReport {
  /** ISO 8601 time the run started. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** Where the run went and what it found there (nodes, Services with their pods, probe agents). */
  readonly cluster: ReportCluster;
  readonly probes: readonly ProbeResult[];
  /** What the run could not do as asked, and why (replaced or skipped checks, unsettled objects). */
  readonly notes: readonly string[];
  readonly summary: VerifySummary;
  /**
   * With `--explain` only: each node's kube-proxy rules as read during the
   * run (or why not) and every Service's paths explained on every node.
   */
  readonly explanations?: ReportExplanations;
  /** 0 every probe passed or was skipped; 1 some probe failed; 2 no failure but some probe could not run. */
  readonly exitCode: 0 | 1 | 2;
}

/** Wall-clock bound on each Kubernetes API list call. */
const API_TIMEOUT_MS = 15000;

/**
 * Verifies the Services of one namespace.
 * @throws VerifyOptionError on bad options; KubeApiError when the API server
 * cannot be used (both mean exit code 2, printed as their one-line message)
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const resolved = resolveOptions(options);
  const startedAt = new Date();
  const deadline = startedAt.getTime() + resolved.deadlineMs;
  const target = loadKubeTarget(resolved.kubeconfig, resolved.context);
  const progress = resolved.onProgress;
  progress?.({ kind: "discovering", server: target.server, namespace: resolved.namespace });

  const { cluster, unsettled } = await discoverSettled(
    kubeLists(target.kc, API_TIMEOUT_MS),
    {
      context: target.context,
      server: target.server,
      namespace: resolved.namespace,
      clusterDomain: resolved.clusterDomain,
      ...(resolved.selector !== undefined ? { selector: resolved.selector } : {}),
    },
    deadline,
    (waiting) => progress?.({ kind: "waiting", waiting }),
  );
  if (cluster.services.length === 0) {
    const selector = resolved.selector !== undefined ? ` matching ${resolved.selector}` : "";
    throw new KubeApiError(`find Services in namespace ${resolved.namespace}${selector}`, undefined, "there are none (check --namespace, --selector and --context)");
  }

  const notes = unsettled.map((what) => `not settled when the readiness deadline passed: ${what}`);
  // Never fatal: an unreadable kube-system (RBAC) makes the data plane "unknown", and the report says how to state it.
  const detection = await detectDataPlane(kubeSystemReads(target.kc, API_TIMEOUT_MS), resolved.dataPlane);
  const dataPlane = detection.dataPlane;
  notes.push(dataPlaneNote(dataPlane), ...detection.notes);
  const mode = outsideMode(target.server, process.platform, resolved.outsideViaLocalhost);
  if (mode.kind === "localhost") {
    notes.push(`outside checks of node ports were tried on 127.0.0.1 instead of node IPs, the rest skipped: ${mode.reason}`);
  }
  const planned = planProbes(cluster, { spreadRequests: resolved.spreadRequests, outside: mode, dataPlane });
  const filtered = planned.filter(
    (p) => (resolved.only === undefined || resolved.only.test(p.id)) && (resolved.skip === undefined || !resolved.skip.test(p.id)),
  );
  if (filtered.length === 0) {
    // A filter typo must not turn into a green CI job that proved nothing.
    const filters = [resolved.only && `--only ${resolved.only.source}`, resolved.skip && `--skip ${resolved.skip.source}`].filter(Boolean).join(", ");
    const allowed = `a filter that keeps at least one of the ${planned.length} planned probes (ids look like ${planned[0]?.id ?? "<service>/<target>/<vantage>"})`;
    throw new VerifyOptionError("probe filters", filters, allowed, `no probe is left after ${filters}: ${allowed}`);
  }
  // After the filters, so the bound is spent on the Services the run asks about.
  const budget = applyApiProxyBudget(filtered, cluster.services.map((s) => s.service), resolved.apiProxyMax ?? defaultApiProxyMax(cluster.nodes.length));
  const probes = budget.probes;
  if (budget.note !== undefined) notes.push(budget.note);
  // Only runs that ask the agents need their token: a user without access to the Secret can still run the rest.
  const asksAgents = probes.some((p) => p.vantage === "pod" && p.skip === undefined && p.agent !== undefined && p.target.kind !== "inspect");
  // Read while the probes run, so the rules are the ones the probes went through; never fatal.
  const explaining = resolved.explain ? explainDuringRun(cluster, dataPlane, resolved.explainRun) : undefined;
  const token = asksAgents ? await readProbeToken(target.kc, cluster.namespace, API_TIMEOUT_MS) : undefined;
  if (token?.kind === "none") notes.push(token.note);
  const judged = await runProbes(probes, {
    concurrency: resolved.concurrency,
    deadline,
    execute: liveExecutor(target.kc, cluster.namespace, resolved.timeoutMs, token?.kind === "token" ? token.value : undefined),
    batched: batchedByAgent,
    ...(progress !== undefined ? { onProgress: progress } : {}),
  });
  const { results, network, notes: networkNotes } = assessNetwork(cluster, probes, judged, resolved.expectIsolated);
  notes.push(...networkNotes);
  const explanations = await explaining;
  const explainNote = explanations === undefined ? undefined : explanationsNote(explanations);
  if (explainNote !== undefined) notes.push(explainNote);

  const summary = summarise(results);
  const provedNothing = summary.pass === 0 && summary.fail === 0 && summary.error === 0;
  if (provedNothing) {
    notes.push(`every one of the ${summary.total} probes was skipped: nothing was proven`);
  }
  return {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    cluster: {
      context: cluster.context,
      server: cluster.server,
      namespace: cluster.namespace,
      nodes: cluster.nodes,
      clusterDomain: cluster.clusterDomain,
      services: cluster.services,
      agents: cluster.agents,
      dataPlane,
      network,
    },
    probes: results,
    notes,
    summary,
    exitCode: summary.fail > 0 ? 1 : summary.error > 0 || provedNothing ? 2 : 0,
    // Last: long texts, after the fields a script reads first.
    ...(explanations !== undefined ? { explanations } : {}),
  };
}

/** {@link explainCluster}, with even an unexpected failure recorded as every node's reason rather than ending the run. */
async function explainDuringRun(cluster: Cluster, dataPlane: DataPlaneInfo, run: RunProgram | undefined): Promise<ReportExplanations> {
  try {
    return await explainCluster(cluster, dataPlane, run);
  } catch (err) {
    const notRead = `the rules could not be explained: ${err instanceof Error ? err.message : String(err)}`;
    return { nodes: cluster.nodes.map((n) => ({ node: n.name, family: "IPv4", notRead })), services: [] };
  }
}

/** Counts results by status. */
export function summarise(results: readonly ProbeResult[]): VerifySummary {
  const count = (status: ProbeResult["status"]): number => results.filter((r) => r.status === status).length;
  return { pass: count("pass"), fail: count("fail"), error: count("error"), skipped: count("skipped"), total: results.length };
}
