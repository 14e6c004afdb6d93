/**
 * The HTML report in a real headless browser: Debian's chromium driven by
 * playwright-core. The page must open from file:// with no console error and
 * no network request, show every node and Service, carry each path's verdict,
 * highlight a selected Service's paths, and keep a `<script>` name inert.
 * Screenshots go to test-output/report/ (gitignored); with
 * SVCLAB_UPDATE_DOCS_IMG=1 the README's docs/img/report-page.png is rewritten.
 *
 * Where /usr/bin/chromium is missing these tests are skipped, and say so.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { openRecordedPage, type RecordedPage } from "../../support/browser-page";
import type { VerifyReport } from "../../../verifier";
import { renderHtml } from "../../../verifier/report/html";
import { isPath, pictureOf } from "../../../verifier/report/picture";
import { verdictOf } from "../../../verifier/report/verdict";
import { recorded } from "./recorded";
import { renameService } from "./rename";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.resolve(__dirname, "../../..");
const OUT = path.join(ROOT, "test-output", "report");
const available = existsSync(CHROMIUM);
if (!available) process.stderr.write(`browser tests of the HTML report skipped: ${CHROMIUM} not found (apt-get install chromium)\n`);
const describeInBrowser = available ? describe : describe.skip;

describeInBrowser("HTML report in headless chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    mkdirSync(OUT, { recursive: true });
  }, 120000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a report's page from file://, recording console errors, page errors and every request beyond the file itself. */
  async function open(name: string, report: VerifyReport): Promise<RecordedPage> {
    const file = path.join(OUT, `${name}.html`);
    writeFileSync(file, renderHtml(report));
    return openRecordedPage(browser, file);
  }

  /** Each path element's Service, probe and verdict, and whether it is drawn highlighted. */
  function pathsOf(page: Page): Promise<{ service: string | null; probe: string | null; verdict: string | null; hl: boolean; opacity: number }[]> {
    // Runs in the page: the DOM is reached through globalThis (this project compiles without the DOM lib).
    return page.evaluate(() =>
      Array.from(((globalThis as any).document as any).querySelectorAll("path.path") as any[]).map((el: any) => ({
        service: el.getAttribute("data-service"),
        probe: el.getAttribute("data-probe"),
        verdict: el.getAttribute("data-verdict"),
        hl: el.classList.contains("hl"),
        opacity: Number((globalThis as any).getComputedStyle(el).opacity),
      })),
    );
  }

  test.each(["default-pass", "failures", "five-nodes"] as const)(
    "%s: opens with no console error and no request, every node and Service visible, each path with its verdict",
    async (name) => {
      const report = recorded(name);
      const { page, problems, requests } = await open(name, report);
      try {
        expect(problems).toEqual([]);
        expect(requests).toEqual([]);
        const visible = await page.evaluate(() => {
          const doc = (globalThis as any).document;
          const shown = (el: any): boolean => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && (globalThis as any).getComputedStyle(el).visibility !== "hidden";
          };
          return {
            nodes: Array.from(doc.querySelectorAll("g.node") as any[]).filter(shown).map((el: any) => el.getAttribute("data-node") as string),
            services: Array.from(doc.querySelectorAll("g.svc") as any[]).filter(shown).map((el: any) => el.getAttribute("data-service") as string),
            summary: (doc.getElementById("summary")?.textContent ?? "") as string,
            legend: (doc.getElementById("legend")?.textContent ?? "") as string,
          };
        });
        expect(visible.nodes).toEqual(report.cluster.nodes.map((n) => n.name));
        expect(visible.services).toEqual(pictureOf(report).services.map((s) => s.name));
        expect(visible.summary).toContain(`${report.summary.pass} passed, ${report.summary.fail} failed`);
        expect(visible.legend).toContain("could not run");
        const paths = await pathsOf(page);
        const expected = report.probes.filter(isPath);
        expect(paths.map((p) => [p.probe, p.verdict])).toEqual(expected.map((p) => [p.id, verdictOf(p)]));
        await page.screenshot({ path: path.join(OUT, `${name}.png`) });
      } finally {
        await page.close();
      }
    },
    120000,
  );

  test("selecting a Service highlights its paths, dims the others and shows its rules; selecting it again clears", async () => {
    const report = recorded("default-pass");
    const { page, problems } = await open("selected", report);
    try {
      await page.click('g.svc[data-service="frontend-lb"]');
      const paths = await pathsOf(page);
      const mine = paths.filter((p) => p.service === "frontend-lb");
      expect(mine.length).toBe(report.probes.filter((p) => p.service === "frontend-lb" && isPath(p)).length);
      expect(mine.every((p) => p.hl && p.opacity === 1)).toBe(true);
      expect(paths.filter((p) => p.service !== "frontend-lb").every((p) => !p.hl && p.opacity < 0.2)).toBe(true);
      const details = page.locator('section.details[data-service="frontend-lb"]');
      await expect(details.isVisible()).resolves.toBe(true);
      const text = (await details.textContent()) ?? "";
      expect(text).toContain("nodePort");
      expect(text).toContain("A LoadBalancer address answers from outside the cluster");
      expect(text).toMatch(/Spread: ✓ 30 requests/);
      await page.screenshot({ path: path.join(OUT, "selected.png") });
      if (process.env.SVCLAB_UPDATE_DOCS_IMG === "1") await page.screenshot({ path: path.join(ROOT, "docs", "img", "report-page.png") });
      await page.click('g.svc[data-service="frontend-lb"]');
      expect((await pathsOf(page)).some((p) => p.hl)).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);

  test("a Service named <script>…</script> is shown as text, runs nothing, and can be selected", async () => {
    const name = "<script>window.__pwned=1</script>";
    const report = renameService(recorded("failures"), "backend", name);
    const { page, problems } = await open("script-name", report);
    try {
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      const box = page.locator("g.svc").first();
      expect(await box.getAttribute("data-service")).toBe(name);
      expect(await box.locator("text.svc-name").textContent()).toBe(name);
      await box.click();
      const highlighted = (await pathsOf(page)).filter((p) => p.hl);
      expect(highlighted.length).toBeGreaterThan(0);
      expect(highlighted.every((p) => p.service === name)).toBe(true);
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);
});

if (!available) {
  // Shown in jest's output as skipped with the reason, never counted as passed.
  test.skip(`browser tests of the HTML report: ${CHROMIUM} not found`, () => undefined);
}
