/**
 * `POST /dial`: many dials and lookups in one request, answered as a stream
 * of results (NDJSON, one line per item as it finishes, then a last line
 * `{"done":true,"items":N}`), so the verifier sends each agent its whole
 * share of a run in a few requests instead of one request per probe
 * (docs/CONTRACTS.md). Every item is validated exactly like a single
 * `GET /dial` or `GET /resolve` before anything is sent.
 */
import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseDialQuery, type DialReport, type DialRequest } from "./dial";
import { BadParameter } from "./params";
import { parseResolveQuery, type ResolveReport, type ResolveRequest } from "./resolve";
import { Slots } from "./slots";

/** The bounds of one batch and of the agent's own concurrency (stated in docs/CONTRACTS.md). */
export const BATCH_LIMITS = Object.freeze({
  /** Items in one `POST /dial`; more is refused with 400. */
  maxItems: 1000,
  /** Bytes of one request body; more is refused with 400. */
  maxBodyBytes: 1024 * 1024,
  /** Items that carry work (answers expected, lookups) running at once, per agent. */
  workSlots: 32,
  /**
   * Items marked `expectNo` (an attempt that usually just waits out its
   * timeout) running at once, per agent. A waiting socket costs a file
   * descriptor and no CPU, so these get many more slots than work does and
   * 256 expected timeouts end together, in about one timeout.
   */
  waitSlots: 256,
});

/** The agent's slots, shared by every request it serves: the bound on its open sockets. */
export interface AgentSlots {
  readonly work: Slots;
  readonly wait: Slots;
}

/** One pair of slots per agent process (or per stand-in agent). */
export function agentSlots(): AgentSlots {
  return { work: new Slots(BATCH_LIMITS.workSlots), wait: new Slots(BATCH_LIMITS.waitSlots) };
}

/** A validated batch item. */
export type BatchItem =
  | { readonly id: string; readonly kind: "dial"; readonly request: DialRequest; readonly expectNo: boolean }
  | { readonly id: string; readonly kind: "resolve"; readonly request: ResolveRequest };

/** One line of the answer: an item's id and kind with the body a single `GET` would have answered. */
export type BatchLine = ({ readonly id: string; readonly kind: "dial" } & DialReport) | ({ readonly id: string; readonly kind: "resolve" } & ResolveReport);

/** What runs an item: the real agent dials and resolves for real; the stand-in through its emulated data plane. */
export interface BatchWorkers {
  dial(request: DialRequest, signal: AbortSignal): Promise<DialReport>;
  resolve(request: ResolveRequest): Promise<ResolveReport>;
}

const MAX_ID_LENGTH = 128;
const FIELDS = {
  dial: ["id", "kind", "target", "count", "timeoutMs", "expectNo"],
  resolve: ["id", "kind", "name", "type", "timeoutMs"],
} as const;
const BODY_ALLOWED = `allowed: a JSON object {"items": [...]} of 1 to ${BATCH_LIMITS.maxItems} items`;

/**
 * Reads a request body of at most {@link BATCH_LIMITS.maxBodyBytes} and parses it as JSON.
 * @throws BadParameter (`body`) when it is larger or not JSON
 */
export async function readBatchBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > BATCH_LIMITS.maxBodyBytes) {
      throw new BadParameter("body", `the body is larger than ${BATCH_LIMITS.maxBodyBytes} bytes; ${BODY_ALLOWED}, at most ${BATCH_LIMITS.maxBodyBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadParameter("body", `the body is not JSON; ${BODY_ALLOWED}`);
  }
}

/**
 * Validates a whole batch before anything is sent: each item exactly as the
 * single `GET /dial` / `GET /resolve` validates its query (same rules, same
 * messages; the parameter is named `items[<i>].<field>`), plus a unique `id`.
 * @throws BadParameter naming the item and field, or `items` for the batch as a whole
 */
export function parseDialBatch(body: unknown): BatchItem[] {
  const items = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { items?: unknown }).items : undefined;
  if (!Array.isArray(items) || items.length === 0) {
    throw new BadParameter("items", `items is missing or empty; ${BODY_ALLOWED}`);
  }
  if (items.length > BATCH_LIMITS.maxItems) {
    throw new BadParameter(
      "items",
      `the batch has ${items.length} items; allowed: at most ${BATCH_LIMITS.maxItems} items per POST /dial (send the rest in another request)`,
    );
  }
  const seen = new Set<string>();
  return items.map((raw, index) => {
    const item = parseItem(raw, `items[${index}]`);
    if (seen.has(item.id)) throw new BadParameter(`items[${index}].id`, `id "${item.id}" is used by an earlier item; allowed: an id unique in the batch`);
    seen.add(item.id);
    return item;
  });
}

function parseItem(raw: unknown, at: string): BatchItem {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BadParameter(at, `${at} is not an object; allowed: {"id", "target", "count", "timeoutMs", "expectNo"} or {"id", "kind": "resolve", "name", "type", "timeoutMs"}`);
  }
  const fields = raw as Record<string, unknown>;
  const kind = fields.kind ?? "dial";
  if (kind !== "dial" && kind !== "resolve") {
    throw new BadParameter(`${at}.kind`, `kind is ${JSON.stringify(kind)}; allowed: dial, resolve (default dial)`);
  }
  const allowed: readonly string[] = FIELDS[kind];
  const stray = Object.keys(fields).find((field) => !allowed.includes(field));
  if (stray !== undefined) throw new BadParameter(`${at}.${stray}`, `${at} has the field "${stray}"; allowed for kind ${kind}: ${allowed.join(", ")}`);
  const id = fields.id;
  if (typeof id !== "string" || id === "" || id.length > MAX_ID_LENGTH) {
    throw new BadParameter(`${at}.id`, `id is ${JSON.stringify(id) ?? "missing"}; allowed: a string of 1 to ${MAX_ID_LENGTH} characters, unique in the batch`);
  }
  // The same parsers as the single GETs, fed the item's fields as query parameters: one set of rules and messages.
  const query = new URLSearchParams();
  for (const field of allowed) {
    const value = fields[field];
    if (field === "id" || field === "kind" || field === "expectNo" || value === undefined) continue;
    query.set(field, typeof value === "string" ? value : JSON.stringify(value));
  }
  try {
    if (kind === "resolve") return { id, kind, request: parseResolveQuery(query) };
    const expectNo = fields.expectNo ?? false;
    if (typeof expectNo !== "boolean") throw new BadParameter("expectNo", `expectNo is ${JSON.stringify(expectNo)}; allowed: true or false (default false)`);
    return { id, kind, request: parseDialQuery(query), expectNo };
  } catch (error) {
    if (error instanceof BadParameter) throw new BadParameter(`${at}.${error.parameter}`, error.message);
    throw error;
  }
}

/**
 * Runs the items (work in `slots.work`, expected-"no" dials in `slots.wait`)
 * and hands each result to `emit` as it finishes. Items not yet started when
 * `signal` aborts are dropped; running dials are cancelled.
 */
export async function runDialBatch(
  items: readonly BatchItem[],
  workers: BatchWorkers,
  slots: AgentSlots,
  signal: AbortSignal,
  emit: (line: BatchLine) => void,
): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      if (item.kind === "resolve") {
        const report = await slots.work.runUnlessAborted(() => workers.resolve(item.request), signal);
        if (report !== undefined && !signal.aborted) emit({ id: item.id, kind: "resolve", ...report });
        return;
      }
      const pool = item.expectNo ? slots.wait : slots.work;
      const report = await pool.runUnlessAborted(() => workers.dial(item.request, signal), signal);
      if (report !== undefined && !signal.aborted) emit({ id: item.id, kind: "dial", ...report });
    }),
  );
}

/**
 * Serves one `POST /dial`: reads and validates the batch (a 400 sends
 * nothing), then streams `200` NDJSON lines as items finish and a last
 * `{"done":true,"items":N}` line. A caller that hangs up stops the batch.
 * @throws BadParameter before anything is written
 */
export async function serveDialBatch(request: IncomingMessage, response: ServerResponse, workers: BatchWorkers, slots: AgentSlots): Promise<void> {
  const items = parseDialBatch(await readBatchBody(request));
  const abandoned = new AbortController();
  // Every item listens on this one signal (while it waits for a slot, and while it dials): that many listeners are expected, not a leak.
  setMaxListeners(2 * items.length + 10, abandoned.signal);
  response.on("close", () => abandoned.abort());
  response.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" });
  // Headers now, so the proxy in between sees an answer long before the slowest item ends.
  response.flushHeaders();
  await runDialBatch(items, workers, slots, abandoned.signal, (line) => response.write(`${JSON.stringify(line)}\n`));
  if (!response.destroyed) response.end(`${JSON.stringify({ done: true, items: items.length })}\n`);
}
