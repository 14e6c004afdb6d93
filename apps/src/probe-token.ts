/**
 * The probe agent's gate: `/dial` and `/resolve` make this pod send requests
 * on the caller's behalf, so only the verifier may use them. The kit puts a
 * random per-lab token in a Secret and mounts it as a file (PROBE_TOKEN_FILE);
 * the verifier reads the Secret through the API with the user's credentials
 * and sends it in the {@link PROBE_TOKEN_HEADER} header. A request without the
 * right token gets 401 and nothing is sent (docs/CONTRACTS.md, "Probe agents").
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";

/** The request header that carries the token (lower case, as Node reports headers). */
export const PROBE_TOKEN_HEADER = "x-svclab-probe-token";

/** Fewer characters than this is no secret worth the name; the kit's tokens have 43. */
export const MIN_TOKEN_LENGTH = 16;

/** Why a request may not use a gated path: status and message. */
export interface TokenRefusal {
  readonly status: 401 | 503;
  readonly message: string;
}

/**
 * Reads the token file now. The file is read again on every gated request, so
 * a rotated Secret takes effect as soon as the kubelet updates the mounted
 * copy, with no restart.
 * @throws Error naming the file and what is wrong with it
 */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`PROBE_TOKEN_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`PROBE_TOKEN_FILE ${file} holds ${token.length} characters; allowed: a token of at least ${MIN_TOKEN_LENGTH}`);
  }
  return token;
}

/** Compares in constant time (digests, so unequal lengths leak nothing either). */
function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Checks a request against the token in `file`; `undefined` when it may pass.
 * A missing or wrong header is 401; an unreadable token file is 503 (the
 * agent cannot tell who may pass, so nobody does).
 */
export function refuseWithoutToken(request: IncomingMessage, file: string): TokenRefusal | undefined {
  let expected: string;
  try {
    expected = readTokenFile(file);
  } catch (error) {
    return { status: 503, message: (error as Error).message };
  }
  const header = request.headers[PROBE_TOKEN_HEADER];
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined || given === "") {
    return { status: 401, message: `this path needs the probe token in the ${PROBE_TOKEN_HEADER} header; only the svclab verifier may use it` };
  }
  if (!sameToken(given, expected)) {
    return { status: 401, message: `the ${PROBE_TOKEN_HEADER} header does not hold this agent's probe token` };
  }
  return undefined;
}
