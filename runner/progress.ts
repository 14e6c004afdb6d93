/**
 * Turns Pulumi engine events into the short lines `lab` and `down` print
 * while they run: which resource is being created or deleted, what the
 * Kubernetes provider is waiting on, and the summary at the end.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/** Receives one progress line at a time. */
export type ProgressSink = (line: string) => void;

const STARTED: Partial<Record<OpType, string>> = {
  create: "creating",
  update: "updating",
  replace: "replacing",
  "create-replacement": "creating replacement",
  delete: "deleting",
  "delete-replaced": "deleting replaced",
  read: "reading",
  refresh: "refreshing",
};

const FINISHED: Partial<Record<OpType, string>> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  "create-replacement": "created replacement",
  delete: "deleted",
  "delete-replaced": "deleted replaced",
};

/** The resource's name: the last segment of its URN (`urn:pulumi:dev::svclab::type::name`). */
export function resourceName(urn: string): string {
  const segments = urn.split("::");
  return segments[segments.length - 1] ?? urn;
}

/** One line for an event worth showing, or `undefined` for the rest (unchanged resources, previews, debug output). */
export function describeEngineEvent(event: EngineEvent): string | undefined {
  const pre = event.resourcePreEvent;
  if (pre !== undefined && pre.planning !== true) {
    const verb = STARTED[pre.metadata.op];
    return verb === undefined ? undefined : `${verb} ${resourceName(pre.metadata.urn)} (${pre.metadata.type})`;
  }
  const done = event.resOutputsEvent;
  if (done !== undefined && done.planning !== true) {
    const verb = FINISHED[done.metadata.op];
    return verb === undefined ? undefined : `${verb} ${resourceName(done.metadata.urn)}`;
  }
  const failed = event.resOpFailedEvent;
  if (failed !== undefined) {
    return `failed ${resourceName(failed.metadata.urn)} (${failed.metadata.type})`;
  }
  const diagnostic = event.diagnosticEvent;
  if (diagnostic !== undefined) {
    return describeDiagnostic(diagnostic.severity, diagnostic.message, diagnostic.urn);
  }
  const summary = event.summaryEvent;
  if (summary !== undefined) {
    const counts = Object.entries(summary.resourceChanges)
      .filter(([, count]) => (count ?? 0) > 0)
      .map(([op, count]) => `${count} ${op === "same" ? "unchanged" : (FINISHED[op as OpType] ?? op)}`)
      .join(", ");
    return `finished in ${summary.durationSeconds} s: ${counts.length > 0 ? counts : "no resources"}`;
  }
  return undefined;
}

function describeDiagnostic(severity: string, message: string, urn: string | undefined): string | undefined {
  const text = message.replace(/\s+/g, " ").trim();
  if (text.length === 0 || severity === "debug") {
    return undefined;
  }
  const who = urn === undefined || urn.length === 0 ? "" : `${resourceName(urn)}: `;
  switch (severity) {
    case "info":
    case "info#err":
      // The Kubernetes provider reports rollouts as info messages ("Waiting for app ReplicaSet to be available").
      return urn === undefined || urn.length === 0 ? undefined : `waiting on ${who}${text}`;
    case "warning":
      return `warning: ${who}${text}`;
    case "error":
      return `error: ${who}${text}`;
    default:
      return undefined;
  }
}
