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
${identityTable(identity)}
${backend}
<p>Reload to see which pod answers next. The same answer as JSON: <code>curl</code> this address.</p>
</body>
</html>
`;
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
