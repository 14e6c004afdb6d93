/**
 * `JSON.stringify(value, null, 2)` handed out in pieces, so that a report can
 * be written without ever being one string. At 200 Services × 5 nodes the
 * JSON report is 16 MB; one note holds a character outside Latin-1 (`—`), so
 * the whole string, once written out (flattened), takes 32 MB of heap, on
 * top of the 16 MB of parts it was built from: the verifier's peak memory.
 * Written piece by piece, no piece is more than one probe.
 *
 * For JSON data as a report holds it (plain objects, arrays, strings,
 * numbers, booleans, null, undefined properties); a value with a `toJSON`
 * method is left whole to `JSON.stringify`.
 */

/** Arrays and objects this deep are opened here (the report, its cluster and probes, their elements); deeper values are one piece each. */
const OPEN_DEPTH = 3;

const STEP = "  ";

/** What JSON.stringify leaves out of an object (and writes as `null` in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function opened(value: unknown, depth: number): value is object {
  return depth < OPEN_DEPTH && value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (!opened(value, depth)) {
    // A nested value's own lines are indented as deep as it sits; strings hold no raw newline (JSON escapes it).
    const text = JSON.stringify(value, null, 2);
    yield indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
    return;
  }
  const inner = indent + STEP;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? "[" : ","}\n${inner}`;
      const item: unknown = value[i];
      if (omitted(item)) yield "null";
      else yield* pieces(item, inner, depth + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => !omitted(v));
  if (entries.length === 0) {
    yield "{}";
    return;
  }
  let first = true;
  for (const [key, v] of entries) {
    yield `${first ? "{" : ","}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* pieces(v, inner, depth + 1);
  }
  yield `\n${indent}}`;
}

/** The pieces whose concatenation is exactly `JSON.stringify(value, null, 2)`. */
export function jsonPieces(value: unknown): Generator<string> {
  return pieces(value, "", 0);
}
