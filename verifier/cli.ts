/**
 * `svclab verify`: a thin command over {@link verify}. Parse → validate → run
 * → print → exit code. Bad flags and an unusable API server print one line
 * and exit 2.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { ApiProxyMax } from "./api-proxy-budget";
import { DATA_PLANE_PROFILES, type DataPlaneProfile } from "./data-plane";
import { KubeApiError, VerifyOptionError } from "./errors";
import { explanationsSummary } from "./explain/during-run";
import { verify } from "./index";
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_NAMESPACE, LIMITS } from "./options";
import { reportDestinationProblem } from "./report/destination";
import { REPORT_FORMATS, type ReportFormat } from "./report/render";
import { summaryLine } from "./report/table";
import { writeReport } from "./report/write";
import { listRules, renderRuleList } from "./rule-list";
import type { ProgressEvent } from "./run";

/** The exit codes, as `--help` states them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  every probe passed (skipped probes are listed, never counted as passed)
  1  at least one probe failed: a reachability rule does not hold
  2  the run could not be done: bad flags, API server unreachable or refusing,
     filters that leave no probe, or no probe failed but some could not run
     (no probe agent, proxy error) or every probe was skipped`;

/** A commander parser for an integer within limits; the error says what is allowed. */
function integerIn(limits: { readonly min: number; readonly max: number }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < limits.min || n > limits.max) {
      throw new InvalidArgumentError(`An integer from ${limits.min} to ${limits.max} is allowed.`);
    }
    return n;
  };
}

/** `--api-proxy-max`: an integer of at least the minimum, or `all`. Shared with the benchmark's flag. */
export function apiProxyMax(value: string): ApiProxyMax {
  if (value.trim() === "all") return "all";
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < LIMITS.apiProxyMax.min) {
    throw new InvalidArgumentError(`An integer from ${LIMITS.apiProxyMax.min} up, or all (no bound), is allowed.`);
  }
  return n;
}

function regex(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (err) {
    throw new InvalidArgumentError(`A valid regular expression is allowed (${(err as Error).message}).`);
  }
}

/** Parsed `svclab verify` flags. */
interface VerifyFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  selector?: string;
  only?: RegExp;
  skip?: RegExp;
  timeout: number;
  deadline: number;
  concurrency: number;
  spreadRequests: number;
  apiProxyMax?: ApiProxyMax;
  clusterDomain: string;
  outsideViaLocalhost?: boolean;
  dataPlane?: DataPlaneProfile;
  expectIsolated?: boolean;
  explain?: boolean;
  format: ReportFormat;
  details?: boolean;
  out?: string;
  list?: boolean;
}

/** Writes progress to `stream`: one rewritten line on a terminal, sparse lines otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream): (event: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  let lastWaiting = "";
  return (event) => {
    switch (event.kind) {
      case "discovering":
        // Silent: if the API server cannot be used, the one error line says so alone.
        return;
      case "waiting": {
        const text = event.waiting.join("; ");
        if (text !== lastWaiting) stream.write(`waiting: ${text}\n`);
        lastWaiting = text;
        return;
      }
      case "planned":
        stream.write(`probing: ${event.total} probes\n`);
        return;
      case "probed":
        if (tty) {
          stream.write(`\r\x1b[K[${event.done}/${event.total}] ${event.result.status} ${event.result.id}`);
          if (event.done === event.total) stream.write("\n");
        } else if (event.result.status === "fail" || event.result.status === "error") {
          stream.write(`${event.result.status}: ${event.result.id}: ${event.result.reason}\n`);
        }
        return;
    }
  };
}

/** The `verify` subcommand. */
export function verifyCommand(): Command {
  return new Command("verify")
    .description("Prove, by real requests from outside, from a pod on every node and through the API proxy, which address reaches which pod.")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current context)")
    .option("--namespace <name>", "namespace of the Services and probe agents", DEFAULT_NAMESPACE)
    .option("--selector <labels>", "label selector restricting the Services verified")
    .option("--only <regex>", "run only probes whose id matches", regex)
    .option("--skip <regex>", "leave out probes whose id matches", regex)
    .option("--timeout <ms>", `per-attempt timeout, ${LIMITS.timeoutMs.min}-${LIMITS.timeoutMs.max}`, integerIn(LIMITS.timeoutMs), LIMITS.timeoutMs.default)
    .option(
      "--deadline <ms>",
      `readiness deadline: wait for endpoints and retry expected answers until it, ${LIMITS.deadlineMs.min}-${LIMITS.deadlineMs.max}`,
      integerIn(LIMITS.deadlineMs),
      LIMITS.deadlineMs.default,
    )
    .option("--concurrency <n>", `requests in flight at once, ${LIMITS.concurrency.min}-${LIMITS.concurrency.max}`, integerIn(LIMITS.concurrency), LIMITS.concurrency.default)
    .option(
      "--spread-requests <n>",
      `requests for the spread and session-affinity checks, ${LIMITS.spreadRequests.min}-${LIMITS.spreadRequests.max}`,
      integerIn(LIMITS.spreadRequests),
      LIMITS.spreadRequests.default,
    )
    .option(
      "--api-proxy-max <n|all>",
      `most Services probed through the API server's service proxy per run, or all (default: ${LIMITS.apiProxyMax.defaultPerNode} per node discovered, ` +
        "to bound the API server's load to about 8 proxy GETs beside each node's one agent batch, while the lab's 8 Services are all probed even on one node); " +
        "every Service shape is probed first, the rest are reported skipped with the reason",
      apiProxyMax,
    )
    .option("--cluster-domain <domain>", "cluster DNS domain", DEFAULT_CLUSTER_DOMAIN)
    .option("--outside-via-localhost", "node IPs are not reachable from here (Docker Desktop): try node ports on 127.0.0.1")
    .addOption(
      new Option(
        "--data-plane <profile>",
        "what implements Services, when detection from kube-system cannot tell (default: detected): kube-proxy modes iptables|nftables|ipvs, cilium, or other",
      ).choices([...DATA_PLANE_PROFILES]),
    )
    .option("--expect-isolated", "pod and cluster IPs answering from outside are failures even where the network routes pod IPs (EKS, GKE, a node)")
    .option(
      "--explain",
      "read each node's kube-proxy rules during the run (kind: docker exec <node> iptables-save, or nft list ruleset) and record every Service's paths explained, rule by rule, in the report; the HTML page links each path to its explanation. Rules that cannot be read are recorded with the reason; verdicts and the exit code never depend on them",
    )
    .addOption(
      new Option("--format <format>", "output format: table (the Service × address matrix), json, junit, html (one self-contained page)")
        .choices([...REPORT_FORMATS])
        .default("table"),
    )
    .option("--details", "with --format table: one row per Service and target instead of the matrix")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--list", "print every rule with its id, sentence and the checks that prove it (no cluster needed), then exit; --format json for JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (flags: VerifyFlags) => {
      process.exitCode = await runVerify(flags);
    });
}

async function runVerify(flags: VerifyFlags): Promise<number> {
  if (flags.list === true) {
    process.stdout.write(flags.format === "json" ? `${JSON.stringify(listRules(), null, 2)}\n` : renderRuleList());
    return 0;
  }
  const destinationProblem = flags.out === undefined ? undefined : reportDestinationProblem(flags.out);
  if (destinationProblem !== undefined) {
    process.stderr.write(`svclab verify: ${destinationProblem}\n`);
    return 2;
  }
  let report;
  try {
    report = await verify({
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      namespace: flags.namespace,
      ...(flags.selector !== undefined ? { selector: flags.selector } : {}),
      ...(flags.only !== undefined ? { only: flags.only } : {}),
      ...(flags.skip !== undefined ? { skip: flags.skip } : {}),
      timeoutMs: flags.timeout,
      deadlineMs: flags.deadline,
      concurrency: flags.concurrency,
      spreadRequests: flags.spreadRequests,
      ...(flags.apiProxyMax !== undefined ? { apiProxyMax: flags.apiProxyMax } : {}),
      clusterDomain: flags.clusterDomain,
      outsideViaLocalhost: flags.outsideViaLocalhost ?? false,
      ...(flags.dataPlane !== undefined ? { dataPlane: flags.dataPlane } : {}),
      expectIsolated: flags.expectIsolated ?? false,
      explain: flags.explain ?? false,
      onProgress: progressPrinter(process.stderr),
    });
  } catch (err) {
    if (err instanceof KubeApiError || err instanceof VerifyOptionError) {
      process.stderr.write(`svclab verify: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // The matrix does not show explanations: say where they are.
  if (report.explanations !== undefined && flags.format === "table") process.stderr.write(`${explanationsSummary(report.explanations)}\n`);
  // In chunks: a 200-Service JSON report is tens of MiB as one string.
  writeReport(report, flags.format, { details: flags.details ?? false, color: flags.out === undefined && process.stdout.isTTY === true }, flags.out);
  if (flags.out !== undefined) process.stdout.write(`${summaryLine(report.summary)}; report written to ${flags.out}\n`);
  return report.exitCode;
}
