/**
 * `svclab explain` as a library: read one node's kube-proxy rules, explain
 * one Service on them, print the explanation. The HTML report can link each
 * path to {@link explainCommandLine} and embed {@link renderExplanation}'s
 * text when it read the rules during the run.
 */
export { explain, ExplainInputError, type Explanation, type ExplainRequest } from "./explain";
export { followFor, type Client, type Flow, type Outcome } from "./flow";
export { readObjectsDir, type ClusterObjects } from "./objects";
export { renderExplanation, type RenderContext } from "./render";
export { RulesFormatError, type ProxyMode, type Ruleset } from "./ruleset";
export { parseRules, readRulesFile, readRulesFromKindNode, RulesUnavailableError } from "./sources";

/** What to explain, as the report knows a path: a Service, optionally a node and a port. */
export interface ExplainTarget {
  readonly namespace: string;
  readonly service: string;
  readonly node?: string;
  readonly port?: string | number;
}

/** Quotes a word for a POSIX shell only when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The command a user runs to see one path explained, e.g. `svclab explain frontend-local --namespace svclab --node svclab-worker --port http`. */
export function explainCommandLine(target: ExplainTarget): string {
  const words = ["svclab", "explain", target.service, "--namespace", target.namespace];
  if (target.node !== undefined) words.push("--node", target.node);
  if (target.port !== undefined) words.push("--port", String(target.port));
  return words.map(shellWord).join(" ");
}
