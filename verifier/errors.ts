/**
 * The errors that stop a run before any probe is judged. Both map to exit
 * code 2 and are printed as their one-line message.
 */

/** The Kubernetes API could not be used: unreachable, refusing, or the object is missing. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  /**
   * @param what the request, e.g. `list services in namespace svclab`
   * @param status the HTTP status, or `undefined` when no answer came
   * @param detail the server's message or the connection error
   */
  constructor(
    readonly what: string,
    readonly status: number | undefined,
    readonly detail: string,
  ) {
    super(`Kubernetes API: cannot ${what}: ${status === undefined ? detail : `HTTP ${status} ${detail}`}`.trim());
  }
}

/** Bad options (flags): names the option, the bad value and what is allowed. */
export class VerifyOptionError extends Error {
  override readonly name = "VerifyOptionError";
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly allowed: string,
    /** A whole message instead of the generic one (e.g. when the value is a regex). */
    message?: string,
  ) {
    super(message ?? `invalid ${option} ${JSON.stringify(value)}: ${allowed}`);
  }
}
