/**
 * The HTML report names, for each Service, the `svclab explain` command per
 * node that shows the rules behind its paths.
 */
import { renderHtml } from "../../../verifier/report/html";
import { recorded } from "../report/recorded";

describe("HTML report → svclab explain", () => {
  const report = recorded("default-pass");
  const html = renderHtml(report);

  it("names the explain command for every Service on every node", () => {
    const services = (report.cluster.services ?? []).map((s) => s.service.name);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      for (const node of report.cluster.nodes.map((n) => n.name)) {
        expect(html).toContain(`<code>svclab explain ${service} --namespace ${report.cluster.namespace} --node ${node}</code>`);
      }
    }
  });
});
