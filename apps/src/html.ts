import type { BackendAnswer, FrontendIdentity, Identity } from "./identity";

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * The small page a learner sees in a browser: which pod on which node answered,
 * whom it saw as the client and, for a frontend, what the backend answered.
 * Every value is escaped: pod names and headers come from outside this process.
 */
export function identityPage(identity: Identity | FrontendIdentity): string {
  const backend = "backend" in identity ? backendSection(identity.backend) : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>svclab: ${escapeHtml(identity.pod)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}th{text-align:left;padding-right:1rem}.error{color:#a00}</style>
</head>
<body>
<h1>${escapeHtml(identity.role)} pod <code>${escapeHtml(identity.pod)}</code> on node <code>${escapeHtml(identity.node)}</code> answered</h1>
${lessons(identity)}
${identityTable(identity)}
${backend}
<p>The same answer as JSON: <code>curl</code> this address.</p>
</body>
</html>
`;
}

/** What the learner is looking at, one sentence each: who answered, why the client address is what it is, reloading, sticky sessions. */
function lessons(identity: Identity): string {
  const pod = `<code>${escapeHtml(identity.pod)}</code>`;
  const node = `<code>${escapeHtml(identity.node)}</code>`;
  const client = `<code>${escapeHtml(identity.client.address)}</code>`;
  return `<ul class="lessons">
<li>The Service sent your connection to one of its ready pods: this time pod ${pod}, running on node ${node}.</li>
<li>The pod saw the client as ${client}: after a NodePort or LoadBalancer hop the node rewrites the source to its own or the gateway's address (SNAT) so the reply returns through it; only with <code>externalTrafficPolicy: Local</code>, where the node keeps traffic to its own pods, is it your own address.</li>
<li>Reload after a few seconds (the browser reuses an open connection briefly): each new connection goes to a randomly picked ready pod, so the pod and node change over reloads.</li>
<li>With <code>sessionAffinity: ClientIP</code> (the <code>frontend-sticky</code> Service) every connection from your address goes to the same pod, so reloading keeps showing this one.</li>
</ul>`;
}

function identityTable(identity: Identity): string {
  const rows: [string, string][] = [
    ["role", identity.role],
    ["pod", identity.pod],
    ["namespace", identity.namespace],
    ["node", identity.node],
    ["pod IP", identity.podIP],
    ["listening on port", String(identity.listenPort)],
    ["client (as this pod saw it)", `${identity.client.address}:${identity.client.port}`],
    ["X-Forwarded-For", identity.client.forwardedFor ?? "(none)"],
    ["requests served", String(identity.served)],
    ["version", identity.version],
    ["started", identity.startedAt],
  ];
  const body = rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  return `<table>\n${body.join("\n")}\n</table>`;
}

function backendSection(backend: BackendAnswer): string {
  if ("error" in backend) {
    return `<h2>The backend did not answer</h2>
<p class="error">${escapeHtml(backend.error.kind)}: ${escapeHtml(backend.error.message)}</p>`;
  }
  return `<h2>The backend pod <code>${escapeHtml(backend.pod)}</code> on node <code>${escapeHtml(backend.node)}</code> answered</h2>
${identityTable(backend)}`;
}
