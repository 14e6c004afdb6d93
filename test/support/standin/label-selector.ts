/**
 * Kubernetes label selector strings, as the API server accepts them in
 * `?labelSelector=`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
 * joined by commas. https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Parses a selector; throws with the offending term so the fake API can answer 400. */
export function parseLabelSelector(selector: string | null | undefined): Requirement {
  const terms = splitTerms(selector ?? "");
  const requirements = terms.map(parseTerm);
  return (labels) => requirements.every((r) => r(labels));
}

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== "");
}

function parseTerm(term: string): Requirement {
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set;
    const values = new Set(list.split(",").map((v) => v.trim()));
    return op === "in" ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  const cmp = /^([\w./-]+)\s*(==|!=|=)\s*([\w.-]*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp;
    return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const exists = /^(!?)([\w./-]+)$/.exec(term);
  if (exists) {
    const [, not, key] = exists;
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw new Error(`unable to parse requirement: "${term}"`);
}

/** Parses a field selector limited to equality on the given fields (`metadata.name=x,spec.nodeName=y`). */
export function parseFieldSelector(
  selector: string | null | undefined,
  fields: Readonly<Record<string, (object: any) => string | undefined>>,
): (object: unknown) => boolean {
  const checks = splitTerms(selector ?? "").map((term) => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m || !(m[1] in fields)) throw new Error(`"${term}" is not a known field selector: only ${Object.keys(fields).join(", ")} are supported`);
    const read = fields[m[1]];
    const value = m[3];
    return m[2] === "!=" ? (o: unknown) => read(o) !== value : (o: unknown) => read(o) === value;
  });
  return (object) => checks.every((c) => c(object));
}
