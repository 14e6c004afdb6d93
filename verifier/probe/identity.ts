/**
 * Recognises the demo workload's identity JSON (`GET /` of apps/) in an
 * answer body. Anything else — another web server on the same address, an
 * error page — is not an identity.
 */
import type { Identity } from "../types";

/** The identity in `body`, or `null` when the body is not a workload identity. */
export function parseIdentity(body: unknown): Identity | null {
  const value = typeof body === "string" ? parseJson(body) : body;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const hasName = typeof record.pod === "string" || typeof record.podIP === "string";
  if (!hasName || typeof record.listenPort !== "number") return null;
  return record as Identity;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
