/** A query parameter the caller got wrong; answered as `400 { error: { parameter, message } }`. */
export class BadParameter extends Error {
  constructor(
    /** The query parameter (or body field) at fault. */
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = "BadParameter";
  }
}

/** Bounds and default of an integer query parameter. */
export interface IntegerRule {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Reads an optional integer parameter: absent means `rule.fallback`; anything
 * but plain decimal digits inside the bounds is refused.
 * @throws BadParameter naming the parameter, the bad value and the allowed range.
 */
export function integerParameter(query: URLSearchParams, name: string, rule: IntegerRule): number {
  const raw = query.get(name);
  if (raw === null) return rule.fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value) || value < rule.min || value > rule.max) {
    throw new BadParameter(
      name,
      `${name} is "${raw}"; allowed: an integer from ${rule.min} to ${rule.max} (default ${rule.fallback})`,
    );
  }
  return value;
}
