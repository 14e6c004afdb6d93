/**
 * Reads a report saved with `svclab verify --format json` back, checking the
 * fields every view needs. Reports saved before the cluster picture was
 * recorded (no `cluster.services`) load too; their views draw what the
 * probes show.
 */
import { readFileSync } from "node:fs";
import type { VerifyReport } from "../index";

/** A report file that cannot be read or is not a svclab report. */
export class ReportFileError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`cannot read report ${path}: ${problem}; a file written by svclab verify --format json is allowed`);
    this.name = "ReportFileError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `explanations` (written by `--explain` only): lists of records naming their node (and Service) with text fields. */
function checkExplanations(path: string, explanations: unknown): void {
  if (explanations === undefined) return;
  if (!isObject(explanations) || !Array.isArray(explanations.nodes) || !Array.isArray(explanations.services)) {
    throw new ReportFileError(path, "explanations is not an object with nodes and services lists");
  }
  const optionalText = (r: Record<string, unknown>, keys: readonly string[]): boolean => keys.every((k) => r[k] === undefined || typeof r[k] === "string");
  explanations.nodes.forEach((r: unknown, i: number) => {
    if (!isObject(r) || typeof r.node !== "string" || !optionalText(r, ["family", "origin", "mode", "notRead"])) {
      throw new ReportFileError(path, `explanations.nodes[${i}] lacks a node name or has a field that is not text`);
    }
  });
  explanations.services.forEach((r: unknown, i: number) => {
    if (!isObject(r) || typeof r.service !== "string" || typeof r.node !== "string" || !optionalText(r, ["text", "notExplained"])) {
      throw new ReportFileError(path, `explanations.services[${i}] lacks a Service or node name or has a field that is not text`);
    }
  });
}

/** Checks that `data` has the shape of a {@link VerifyReport}. @throws ReportFileError naming the first missing field */
export function parseReport(path: string, data: unknown): VerifyReport {
  if (!isObject(data)) throw new ReportFileError(path, "the JSON is not an object");
  const cluster = data.cluster;
  if (!isObject(cluster)) throw new ReportFileError(path, "it has no cluster object");
  for (const field of ["context", "server", "namespace"] as const) {
    if (typeof cluster[field] !== "string") throw new ReportFileError(path, `cluster.${field} is not a string`);
  }
  if (!Array.isArray(cluster.nodes)) throw new ReportFileError(path, "cluster.nodes is not a list");
  if (cluster.services !== undefined && !Array.isArray(cluster.services)) throw new ReportFileError(path, "cluster.services is not a list");
  if (!Array.isArray(data.probes)) throw new ReportFileError(path, "probes is not a list");
  data.probes.forEach((p: unknown, i: number) => {
    if (!isObject(p) || typeof p.id !== "string" || typeof p.status !== "string" || !isObject(p.rule) || !isObject(p.observation)) {
      throw new ReportFileError(path, `probes[${i}] lacks id, status, rule or observation`);
    }
  });
  if (!isObject(data.summary)) throw new ReportFileError(path, "it has no summary");
  checkExplanations(path, data.explanations);
  return { notes: [], durationMs: 0, startedAt: "", exitCode: 0, ...data } as unknown as VerifyReport;
}

/** Reads and checks a saved report. @throws ReportFileError */
export function readReport(path: string): VerifyReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ReportFileError(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportFileError(path, `it is not JSON (${(err as Error).message})`);
  }
  return parseReport(path, data);
}
