/**
 * Pure input checks shared by the components and the stack's config loader.
 *
 * Each check throws an {@link InvalidInputError} whose message names the field,
 * the bad value and what is allowed, so a typo in config is fixed in one read.
 * Callers run them before creating any resource.
 */

/** The default NodePort range of the API server (`--service-node-port-range`). */
export const NODE_PORT_MIN = 30000;
/** Upper end of the default NodePort range. */
export const NODE_PORT_MAX = 32767;

/** An argument or config value that svclab refuses; `field` and `value` are for programs. */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
    this.name = "InvalidInputError";
  }
}

/** Shows a value the way the user typed it: strings quoted, everything else as is. */
export function formatValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A DNS-1035 label: at most 63 characters of lowercase letters, digits and "-",
 * starting with a letter and ending with a letter or digit. Service names must be
 * one; svclab asks the same of namespaces and cluster names so every name is safe
 * in DNS. https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export function isDns1035Label(value: unknown): value is string {
  return typeof value === "string" && value.length <= 63 && DNS_1035_LABEL.test(value);
}

/** Throws unless `value` is a DNS-1035 label (see {@link isDns1035Label}). */
export function assertDns1035Label(field: string, value: unknown): asserts value is string {
  if (!isDns1035Label(value)) {
    throw new InvalidInputError(
      field,
      value,
      `${field} must be a DNS-1035 label (at most 63 lowercase letters, digits or "-", ` +
        `starting with a letter and ending with a letter or digit); got ${formatValue(value)}`,
    );
  }
}

/**
 * A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters
 * (what an ExternalName Service may point at).
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export function isDns1123Subdomain(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length <= 253 &&
    value.split(".").every((label) => label.length <= 63 && DNS_1123_LABEL.test(label))
  );
}

/** Throws unless `value` is a DNS-1123 subdomain (see {@link isDns1123Subdomain}). */
export function assertDns1123Subdomain(field: string, value: unknown): asserts value is string {
  if (!isDns1123Subdomain(value)) {
    throw new InvalidInputError(
      field,
      value,
      `${field} must be a DNS name (lowercase letters, digits, "-" and ".", each label starting and ` +
        `ending with a letter or digit, at most 253 characters); got ${formatValue(value)}`,
    );
  }
}

/** Throws unless `value` is an integer of at least `min` (replica and node counts). */
export function assertIntegerAtLeast(field: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidInputError(field, value, `${field} must be an integer of at least ${min}; got ${formatValue(value)}`);
  }
}

/**
 * Throws unless `value` is an integer in the default NodePort range 30000–32767.
 * https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
 */
export function assertNodePort(field: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < NODE_PORT_MIN || value > NODE_PORT_MAX) {
    throw new InvalidInputError(
      field,
      value,
      `${field} must be an integer in the NodePort range ${NODE_PORT_MIN}-${NODE_PORT_MAX}; got ${formatValue(value)}`,
    );
  }
}

/** Throws unless `value` is one of `allowed` (enumerations such as imagePullPolicy). */
export function assertOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new InvalidInputError(
      field,
      value,
      `${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; got ${formatValue(value)}`,
    );
  }
}

/**
 * Throws when two entries share a value, e.g. one NodePort given to two Services
 * or one host port mapped twice. `what` names the kind of value ("nodePort").
 */
export function assertUnique(what: string, entries: ReadonlyArray<readonly [field: string, value: string | number]>): void {
  const firstFieldByValue = new Map<string | number, string>();
  for (const [field, value] of entries) {
    const earlier = firstFieldByValue.get(value);
    if (earlier !== undefined) {
      throw new InvalidInputError(
        field,
        value,
        `${what} ${formatValue(value)} is used twice (${earlier} and ${field}); each ${what} must be different`,
      );
    }
    firstFieldByValue.set(value, field);
  }
}
