/**
 * The POSIX shell scripts the kind commands run, as plain strings. Values
 * reach them through environment variables, never by pasting text into the
 * script, so a name can never become shell syntax. They run under `/bin/sh`
 * (dash, bash or zsh's sh) and need only `kind`, `docker`, `grep`, `sort`
 * and `awk` on PATH.
 */

/** Environment variable carrying the kind cluster name into every script. */
export const CLUSTER_ENV = "SVCLAB_KIND_CLUSTER";

/** Environment variable carrying the image reference into the image-load script. */
export const IMAGE_ENV = "SVCLAB_IMAGE";

/** How long `kind create cluster --wait` waits for the control plane to be Ready (kind then returns). */
export const DEFAULT_READY_WAIT = "5m";

/** The JSON document the create and refresh scripts print on stdout. */
export interface KindClusterReport {
  readonly kubeconfig: string;
  readonly nodes: readonly KindNode[];
}

/** One node of a kind cluster as Docker sees it. */
export interface KindNode {
  /** The node's name, which is also its Docker container's name (e.g. svclab-worker). */
  readonly name: string;
  /** `control-plane` or `worker` (the `io.x-k8s.kind.role` container label). */
  readonly role: string;
  /** The node's address on the `kind` Docker network. */
  readonly internalIP: string;
}

/** Fails early, with what to install, when a tool the scripts drive is missing. */
const requireTools = `for tool in kind docker; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not on PATH; svclab needs kind (https://kind.sigs.k8s.io) and Docker to create the cluster" >&2; exit 127; }
done`;

/** True when the named cluster is in `kind get clusters` (which prints to stderr when there are none). */
const clusterExists = `cluster_exists() { kind get clusters 2>/dev/null | grep -qxF "$${CLUSTER_ENV}"; }`;

/**
 * Prints {"kubeconfig": ..., "nodes": [...]} for the cluster, as its last and
 * only line of stdout. Everything that can still fail (listing the nodes, one
 * `docker inspect` each, reading the kubeconfig) runs first and `set -e` stops
 * the script there: pulumi-command copies a failed script's whole stdout into
 * its error message, so the kubeconfig (a secret) must reach stdout only once
 * nothing else can fail. The kubeconfig is JSON-escaped with sed (backslashes,
 * quotes) and its lines joined with awk; node names and roles come from kind
 * and are DNS labels, so they need no escaping.
 */
const printReport = `print_report() {
  node_names=$(kind get nodes --name "$${CLUSTER_ENV}")
  nodes=''
  separator=''
  for node in $(printf '%s\\n' "$node_names" | sort); do
    details=$(docker inspect -f '{{index .Config.Labels "io.x-k8s.kind.role"}} {{with index .NetworkSettings.Networks "kind"}}{{.IPAddress}}{{end}}' "$node")
    role=\${details% *}
    ip=\${details#* }
    nodes="$nodes$separator{\\"name\\":\\"$node\\",\\"role\\":\\"$role\\",\\"internalIP\\":\\"$ip\\"}"
    separator=','
  done
  raw_kubeconfig=$(kind get kubeconfig --name "$${CLUSTER_ENV}")
  kubeconfig=$(printf '%s\\n' "$raw_kubeconfig" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g' | awk '{ printf "%s\\\\n", $0 }')
  printf '{"kubeconfig":"%s","nodes":[%s]}\\n' "$kubeconfig" "$nodes"
}`;

/**
 * Creates the cluster from the kind config on stdin, waits for the control plane to be Ready, and
 * prints the report. Refuses a cluster of the same name that already exists:
 * this script only runs when the stack has no cluster in its state, so an
 * existing one belongs to someone else and must not be adopted.
 */
export function createClusterScript(readyWait: string = DEFAULT_READY_WAIT): string {
  if (!/^\d+[smh]$/.test(readyWait)) {
    throw new Error(`readyWait must be a duration such as 5m; got ${JSON.stringify(readyWait)}`);
  }
  return `set -eu
${requireTools}
${clusterExists}
${printReport}
if cluster_exists; then
  echo "a kind cluster named $${CLUSTER_ENV} already exists and was not created by this stack; delete it with \\\`kind delete cluster --name $${CLUSTER_ENV}\\\` or choose another clusterName" >&2
  exit 1
fi
# kind reports progress on stdout too; stdout is kept for the JSON report.
kind create cluster --name "$${CLUSTER_ENV}" --config - --wait ${readyWait} >&2
print_report
`;
}

/**
 * Re-reads the report of a cluster this stack already owns (run on update,
 * when only the scripts changed); fails when the cluster has disappeared.
 */
export function refreshClusterScript(): string {
  return `set -eu
${clusterExists}
${printReport}
if ! cluster_exists; then
  echo "the kind cluster $${CLUSTER_ENV} recorded in this stack no longer exists; run \\\`pulumi refresh\\\` and \\\`pulumi up\\\` to create it again" >&2
  exit 1
fi
print_report
`;
}

/** Deletes the cluster; succeeds when it is already gone, so `pulumi destroy` can be repeated. */
export function deleteClusterScript(): string {
  return `set -eu
${clusterExists}
if cluster_exists; then
  kind delete cluster --name "$${CLUSTER_ENV}" >&2
fi
`;
}

/** Copies a locally built image into every node of the cluster. */
export function loadImageScript(): string {
  return `set -eu
kind load docker-image "$${IMAGE_ENV}" --name "$${CLUSTER_ENV}" >&2
`;
}

/** Parses the create/refresh report; the error says what was printed instead. */
export function parseClusterReport(stdout: string): KindClusterReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`the kind create command printed no cluster report; stdout was ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const report = parsed as Partial<KindClusterReport>;
  if (typeof report.kubeconfig !== "string" || !Array.isArray(report.nodes)) {
    throw new Error(`the kind cluster report lacks kubeconfig or nodes; got keys ${Object.keys(report ?? {}).join(", ")}`);
  }
  if (report.kubeconfig.trim() === "") {
    // An empty kubeconfig would make the Kubernetes provider fall back to the
    // user's current kubectl context: the lab must never land in a cluster it did not make.
    throw new Error("the kind cluster report has an empty kubeconfig (did `kind get kubeconfig` fail?); refusing to fall back to the current kubectl context");
  }
  const nodes = report.nodes.map((n) => ({ name: n.name, role: n.role, internalIP: n.internalIP }));
  return { kubeconfig: report.kubeconfig, nodes };
}
