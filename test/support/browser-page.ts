import type { Browser, Page } from "playwright-core";

/** A page opened from file://, with what went wrong on it and what it asked the network for. */
export interface RecordedPage {
  page: Page;
  /** Console errors and uncaught page errors. */
  problems: string[];
  /** Every request beyond the file itself (anchors do not count). */
  requests: string[];
  url: string;
}

/** Opens an HTML file in the browser (optionally at an anchor), recording console errors, page errors and requests. */
export async function openRecordedPage(browser: Browser, file: string, hash = ""): Promise<RecordedPage> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const url = `file://${file}`;
  page.on("request", (r) => {
    if (r.url().split("#")[0] !== url) requests.push(r.url());
  });
  await page.goto(`${url}${hash}`, { waitUntil: "load" });
  return { page, problems, requests, url };
}
