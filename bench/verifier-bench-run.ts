/**
 * The verifier's side of a sized benchmark run, in its own process so that
 * its peak RSS is the verifier's alone (the stand-in world lives in the
 * parent, bench/verifier-bench-sized.ts). Started with `fork`; reads its job
 * from argv[2] (JSON), reports progress and the result over IPC, renders the
 * report in every view (as a user would ask for one, in the chunks
 * `svclab report` writes: JSON is never one string) and exits.
 */
import { performance } from "node:perf_hooks";
import { verify, type ApiProxyMax, type VerifyReport } from "../verifier";
import { reportChunks } from "../verifier/report/render";
import { writeReport } from "../verifier/report/write";

/** What the parent asks for. */
export interface RunJob {
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** The verifier's `apiProxyMax`; its default when absent. */
  readonly apiProxyMax?: ApiProxyMax;
  /** Source of the `skip` regular expression. */
  readonly skip: string;
  /** Where to write the JSON report, e.g. to profile the renderers on it later. */
  readonly saveReport?: string;
}

/** Milliseconds each report view took to render, and its size in bytes. */
export type RenderTimes = Record<"matrix" | "table" | "json" | "junit" | "html", { readonly ms: number; readonly bytes: number }>;

/** Messages to the parent. */
export type RunMessage =
  | { readonly kind: "progress"; readonly text: string }
  | {
      readonly kind: "done";
      readonly wallMs: number;
      readonly probeWallMs: number;
      readonly summary: VerifyReport["summary"];
      readonly problems: readonly string[];
      readonly rssAfterVerifyMiB: number;
      readonly rssPeakMiB: number;
      readonly render: RenderTimes;
    }
  | { readonly kind: "failed"; readonly message: string };

/** How often progress is reported while probing. */
const PROGRESS_EVERY_MS = 5000;

function send(message: RunMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stderr.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, () => resolve());
  });
}

/** Peak resident set size of this process so far (getrusage ru_maxrss), in MiB. */
function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Renders a view chunk by chunk, as it is written, counting its UTF-8 bytes. */
function timed(chunks: Iterable<string>): { ms: number; bytes: number } {
  const started = performance.now();
  let bytes = 0;
  for (const chunk of chunks) bytes += Buffer.byteLength(chunk);
  return { ms: Math.round(performance.now() - started), bytes };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "") as RunJob;
  let plannedAt = 0;
  let lastProbedAt = 0;
  let lastReport = 0;
  const started = performance.now();
  const report = await verify({
    kubeconfig: job.kubeconfig,
    namespace: job.namespace,
    timeoutMs: job.timeoutMs,
    concurrency: job.concurrency,
    ...(job.apiProxyMax !== undefined ? { apiProxyMax: job.apiProxyMax } : {}),
    skip: new RegExp(job.skip),
    onProgress: (event) => {
      const now = performance.now();
      if (event.kind === "planned") {
        plannedAt = now;
        lastReport = now;
        void send({ kind: "progress", text: `discovered and planned ${event.total} probes in ${((now - started) / 1000).toFixed(1)} s` });
      } else if (event.kind === "probed") {
        lastProbedAt = now;
        if (now - lastReport >= PROGRESS_EVERY_MS) {
          lastReport = now;
          void send({ kind: "progress", text: `probed ${event.done}/${event.total} (${((now - started) / 1000).toFixed(1)} s)` });
        }
      } else if (event.kind === "waiting") {
        void send({ kind: "progress", text: `waiting: ${event.waiting.join("; ")}` });
      }
    },
  });
  const wallMs = performance.now() - started;
  const rssAfterVerifyMiB = peakRssMiB();
  const render: RenderTimes = {
    matrix: timed(reportChunks(report, "table", { color: false })),
    table: timed(reportChunks(report, "table", { details: true, color: false })),
    json: timed(reportChunks(report, "json")),
    junit: timed(reportChunks(report, "junit")),
    html: timed(reportChunks(report, "html")),
  };
  if (job.saveReport !== undefined) writeReport(report, "json", {}, job.saveReport);
  const problems = report.probes.filter((p) => p.status === "fail" || p.status === "error").map((p) => `${p.status} ${p.id} [${p.rule.id}] ${p.reason}`);
  await send({
    kind: "done",
    wallMs,
    probeWallMs: lastProbedAt - plannedAt,
    summary: report.summary,
    problems,
    rssAfterVerifyMiB,
    rssPeakMiB: peakRssMiB(),
    render,
  });
}

main()
  .catch(async (error: unknown) => {
    await send({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  })
  .finally(() => process.disconnect?.());
