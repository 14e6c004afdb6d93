/**
 * Colour only when the stream is a terminal. picocolors' own default also
 * turns colour on whenever `CI` is set, which would put escape codes into CI
 * logs and into files the output is redirected to.
 */
import { createColors } from "picocolors";

const wanted = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && !("NO_COLOR" in process.env);

/** For the progress, checklists and errors the runner writes to stderr. */
export const errColors = createColors(wanted(process.stderr));

/** For what the runner writes to stdout (the URL block). */
export const outColors = createColors(wanted(process.stdout));
