/**
 * A kubeconfig made to point at one of its contexts. Pure: text in, text out.
 * https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import { isMap, parseDocument } from "yaml";
import { InvalidInputError, formatValue } from "./validation";

/** The names in the kubeconfig's `contexts` list, in file order. */
export function kubeconfigContexts(content: string): string[] {
  const contexts = parseDocument(content).toJS()?.contexts;
  return Array.isArray(contexts) ? contexts.map((c) => c?.name).filter((name): name is string => typeof name === "string") : [];
}

/**
 * The kubeconfig with `current-context` set to `context`, everything else
 * (comments included) as it was. Whoever uses the result without naming a
 * context (the verifier, kubectl, a script) then reaches the cluster the stack
 * deployed to, whatever the file's own current context is. Throws when the
 * file is not YAML or has no such context, naming the ones it has.
 */
export function withCurrentContext(content: string, context: string, file: string): string {
  const document = parseDocument(content);
  if (document.errors.length > 0 || !isMap(document.contents)) {
    throw new InvalidInputError("kubeconfig", file, `kubeconfig must be a kubeconfig file (YAML); ${formatValue(file)} is not`);
  }
  const known = kubeconfigContexts(content);
  if (!known.includes(context)) {
    throw new InvalidInputError(
      "context",
      context,
      `context must name a context in ${file}; got ${formatValue(context)}, the file has ${known.length > 0 ? known.map((name) => formatValue(name)).join(", ") : "none"}`,
    );
  }
  document.set("current-context", context);
  return document.toString();
}

