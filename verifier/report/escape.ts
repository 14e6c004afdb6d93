/**
 * HTML escaping for every string that comes from a cluster or a report:
 * names, labels, reasons. Safe in text and in double- or single-quoted
 * attributes, so a Service named `<script>` is shown as text, never run.
 */
const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `value` with `& < > " '` replaced by entities. */
export function esc(value: string | number | undefined | null): string {
  return String(value ?? "").replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}
