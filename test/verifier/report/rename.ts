/** Test helper: a report with one Service renamed everywhere it appears (its probes, ids and object). */
import type { VerifyReport } from "../../../verifier";

export function renameService(report: VerifyReport, from: string, to: string): VerifyReport {
  return {
    ...report,
    cluster: {
      ...report.cluster,
      services: report.cluster.services?.map((s) => (s.service.name === from ? { ...s, service: { ...s.service, name: to } } : s)),
    },
    probes: report.probes.map((p) => (p.service === from ? { ...p, service: to, id: `${to}${p.id.slice(from.length)}` } : p)),
  };
}
