import chromium from "@sparticuz/chromium";
import { chromium as playwright, type Browser, type Page } from "playwright-core";

/**
 * Real Chromium, headless: the binary the npm package @sparticuz/chromium ships inside itself
 * (nothing is downloaded), or the one LATCHKEY_TEST_CHROMIUM names (/usr/bin/chromium).
 */
export async function launchBrowser(): Promise<Browser> {
  const configured = process.env.LATCHKEY_TEST_CHROMIUM;
  try {
    if (configured) {
      return await playwright.launch({
        executablePath: configured,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
      });
    }
    // Its own arguments, less those made for one page in a Lambda (one process) or that relax the
    // web's security rules we test (the same-origin policy).
    const relaxed = new Set([
      "--single-process",
      "--disable-web-security",
      "--allow-running-insecure-content",
      "--disable-site-isolation-trials",
    ]);
    const args = chromium.args.filter((arg) => !relaxed.has(arg));
    return await playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true });
  } catch (error) {
    throw new Error(
      `could not start Chromium (${configured ?? "@sparticuz/chromium"}); set LATCHKEY_TEST_CHROMIUM to a chromium binary to use another: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/**
 * A page in a fresh context that notes every problem a user would not see: console errors
 * (Content-Security-Policy violations among them), uncaught exceptions, and requests that leave
 * the server's origin.
 */
export async function watchedPage(browser: Browser, origin: string, locale = "en-US"): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("data:") && new URL(url).origin !== origin) problems.push(`request to ${url}`);
  });
  return { page, problems };
}
