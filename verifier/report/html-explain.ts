/**
 * The HTML report's pointer from a Service to `svclab explain`: the command
 * that shows, on each node, the kube-proxy rules behind the paths drawn
 * (the page fetches nothing, so it names the command rather than linking).
 */
import { explainCommandLine } from "../explain";
import { esc } from "./escape";

/** One command per node (or one without `--node` when the nodes are unknown). */
export function explainBlock(service: string, namespace: string, nodes: readonly string[]): string {
  const commands = (nodes.length > 0 ? nodes : [undefined]).map(
    (node) => `<li><code>${esc(explainCommandLine({ namespace, service, ...(node !== undefined ? { node } : {}) }))}</code></li>`,
  );
  return `<h4>Why: the rules behind these paths</h4><p class="hint">Rule by rule on a node (entry points, endpoint shares, affinity, masquerade, traffic policy):</p><ul class="explain">${commands.join("")}</ul>`;
}
