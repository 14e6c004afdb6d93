/**
 * The `--explain` page in a real headless browser (Debian's chromium driven
 * by playwright-core): explanations start collapsed; a path arrow, a matrix
 * cell or an address ending in an explanation's anchor opens it and scrolls
 * to it; a node whose rules were not read shows why. Nothing is fetched and
 * nothing logs an error. The explanations are built from the real capture's
 * rules. Skipped, saying so, where /usr/bin/chromium is missing.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { openRecordedPage, type RecordedPage } from "../../support/browser-page";
import type { VerifyReport } from "../../../verifier";
import { explainCluster } from "../../../verifier/explain/during-run";
import { renderHtml } from "../../../verifier/report/html";
import { CAPTURE_DIR } from "../explain/capture";
import { CAPTURED_DATA_PLANE, captureCluster, captureDocker } from "../explain/capture-cluster";
import { recorded } from "./recorded";

const CHROMIUM = "/usr/bin/chromium";
const OUT = path.resolve(__dirname, "../../..", "test-output", "report");
const available = existsSync(CHROMIUM);
if (!available) process.stderr.write(`browser tests of the --explain page skipped: ${CHROMIUM} not found (apt-get install chromium)\n`);
const describeInBrowser = available ? describe : describe.skip;

/** What the page shows of one explanation block. */
interface BlockState {
  readonly open: boolean;
  readonly preVisible: boolean;
  readonly text: string;
  readonly inView: boolean;
}

function block(page: Page, id: string): Promise<BlockState | null> {
  // Runs in the page: the DOM is reached through globalThis (this project compiles without the DOM lib).
  return page.evaluate((anchor) => {
    const g = globalThis as any;
    const el = g.document.getElementById(anchor);
    if (el === null) return null;
    const pre = el.querySelector("pre");
    const box = el.getBoundingClientRect();
    return {
      open: el.open === true,
      // A closed <details> hides its content with content-visibility, which checkVisibility() sees.
      preVisible: pre !== null && pre.checkVisibility() === true,
      text: (el.textContent ?? "") as string,
      inView: box.top < g.innerHeight && box.bottom > 0,
    };
  }, id);
}

describeInBrowser("the --explain HTML page in headless chromium", () => {
  let browser: Browser;
  let report: VerifyReport;
  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    mkdirSync(OUT, { recursive: true });
    const explanations = await explainCluster(await captureCluster(), CAPTURED_DATA_PLANE, captureDocker(CAPTURE_DIR, ["svclab-worker2"]).run);
    report = { ...recorded("default-pass"), explanations };
  }, 120000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(hash = ""): Promise<RecordedPage> {
    const file = path.join(OUT, "explained.html");
    writeFileSync(file, renderHtml(report));
    return openRecordedPage(browser, file, hash);
  }

  test("a path arrow opens and shows the explanation on the node whose rules it went through", async () => {
    const { page, problems, requests } = await open();
    try {
      const id = "explain/frontend-local/svclab-control-plane";
      expect(await block(page, id)).toMatchObject({ open: false, preVisible: false });
      await page.locator('path.path[data-probe="frontend-local/node-port:svclab-control-plane:http/outside"]').dispatchEvent("click");
      await page.waitForFunction((anchor) => (globalThis as any).location.hash === `#${anchor}`, id);
      const shown = await block(page, id);
      expect(shown).toMatchObject({ open: true, preVisible: true, inView: true });
      expect(shown?.text).toContain("→ dropped on this node: this node has no ready endpoint of its own and the Service has externalTrafficPolicy: Local");
      await page.screenshot({ path: path.join(OUT, "explained-path.png") });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);

  test("a matrix cell in a node-port column opens that node's explanation; clicked again after closing, it opens again", async () => {
    const { page, problems } = await open();
    try {
      const id = "explain/frontend-local/svclab-worker";
      const cell = page.locator(`tr[data-service="frontend-local"] a[href="#${id}"]`);
      await cell.click();
      expect(await block(page, id)).toMatchObject({ open: true, preVisible: true, inView: true });
      await page.locator(`[id="${id}"] > summary`).click();
      expect(await block(page, id)).toMatchObject({ open: false });
      await cell.click();
      expect(await block(page, id)).toMatchObject({ open: true, preVisible: true });
      expect((await block(page, id))?.text).toContain("→ this node's endpoints only (externalTrafficPolicy: Local)");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);

  test("an address ending in an explanation's anchor opens it; a node whose rules were not read shows why without a click", async () => {
    const { page, problems } = await open("#explain/backend/svclab-worker");
    try {
      expect(await block(page, "explain/backend/svclab-worker")).toMatchObject({ open: true, preVisible: true, inView: true });
      const notRead = await block(page, "explain/backend/svclab-worker2");
      expect(notRead?.open).toBe(true);
      expect(notRead?.text).toContain("rules not read: cannot read the rules of node svclab-worker2");
      expect(notRead?.text).toContain("svclab explain backend --namespace svclab --node svclab-worker2");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);
});

if (!available) {
  // Shown in jest's output as skipped with the reason, never counted as passed.
  test.skip(`browser tests of the --explain page: ${CHROMIUM} not found`, () => undefined);
}
