/** Exit codes of `lab` and `down` besides the verifier's own 0/1/2. */
export const EXIT_OK = 0;
/** Something of the lab is left after `down`. */
export const EXIT_LEFTOVERS = 1;
/** The run could not be done: preflight failed, Pulumi failed, a lock is held. */
export const EXIT_CANNOT_RUN = 2;
/** Interrupted by Ctrl-C (128 + SIGINT), the shell convention. */
export const EXIT_INTERRUPTED = 130;

/** A failure the CLI prints as one line and turns into an exit code. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_CANNOT_RUN,
  ) {
    super(message);
    this.name = "LabError";
  }
}

/** The first line of an error, for one-line messages (Pulumi errors carry the whole CLI log). */
export function summarizeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  // Automation API errors start with "code: N", " stdout:", " stderr:"; the CLI's own message starts at "error:".
  // "error: update failed" only says that something else failed, so a more specific line wins.
  const cliErrors = lines.filter((line) => line.includes("error:")).map((line) => line.slice(line.indexOf("error:")));
  const specific = cliErrors.find((line) => !/^error: (update|destroy|refresh) failed$/.test(line));
  return specific ?? cliErrors[0] ?? lines.find((line) => line.length > 0) ?? "unknown error";
}
