/**
 * Maps Node socket and DNS errors to the failure kinds the reports use (the
 * same words as the probe agent's `/dial`).
 */
import type { FailureKind } from "../types";

const BY_CODE: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  ESOCKETTIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  EADDRNOTAVAIL: "unreachable",
};

/** The failure kind and a one-line message for a request error. */
export function classifyError(err: unknown): { error: FailureKind; message: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return { error: (code !== undefined ? BY_CODE[code] : undefined) ?? "other", message };
}
