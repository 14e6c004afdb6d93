import type { IncomingMessage } from "node:http";
import { BadParameter } from "./params";

/**
 * The readiness switch behind `/readyz`. Turning it off makes the kubelet's
 * readiness probe fail, so the pod leaves its Services' endpoints while it keeps
 * running: the demonstration of "endpoints are exactly the ready pods".
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes
 */
export class Readiness {
  private ready = true;

  /** Whether `/readyz` currently answers 200. Starts true. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Sets the switch; the next `GET /readyz` reflects it. */
  set(ready: boolean): void {
    this.ready = ready;
  }
}

/** The largest `POST /readyz` body read; `{"ready":false}` is 15 bytes. */
export const MAX_READINESS_BODY_BYTES = 1024;

const BODY_ALLOWED = 'allowed: the JSON body {"ready": true} or {"ready": false}';

/**
 * Reads a `POST /readyz` body and returns the requested state.
 * @throws BadParameter (`ready`) when the body is too large, not JSON, or has no boolean `ready`.
 */
export async function readReadinessBody(request: IncomingMessage): Promise<boolean> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_READINESS_BODY_BYTES) {
      throw new BadParameter("ready", `the body is larger than ${MAX_READINESS_BODY_BYTES} bytes; ${BODY_ALLOWED}`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadParameter("ready", `the body is not JSON; ${BODY_ALLOWED}`);
  }
  const ready = (parsed as { ready?: unknown } | null)?.ready;
  if (typeof ready !== "boolean") {
    throw new BadParameter("ready", `"ready" is ${JSON.stringify(ready) ?? "missing"}; ${BODY_ALLOWED}`);
  }
  return ready;
}
