import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { launchBrowser, watchedPage } from "../helpers/browser.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { failure, humanUser, ok, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { codeFromLink, mailTo, startSmtpSink, type SmtpSink } from "../helpers/mail.js";
import { startServer, tempDataDir, type TestServer } from "../helpers/server.js";

const NEW_PASSWORD = "Br0wser-Chosen!";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser: Browser;
let smtp: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  [browser, smtp] = await Promise.all([launchBrowser(), startSmtpSink()]);
  server = await startServer({ env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LATCHKEY_RATE_LIMIT_PER_USER: "100" } });
});
afterAll(async () => {
  await Promise.all([browser?.close(), smtp?.close(), server?.stop()]);
});

async function newUser() {
  const users = createUserClient("grpc", server.baseUrl);
  const request = humanUser({ profile: { givenName: "Ada", familyName: "Lovelace" } });
  const userId = ok(await users.call("AddHumanUser", request, server.adminToken)).userId as string;
  users.close();
  return { userId, username: request.username as string, email: (request.email as { email: string }).email };
}

async function login(userId: string, password: string) {
  const sessions = createRpcClient<"CreateSession">("connect-json", server.baseUrl, SessionService);
  const result = await sessions.call("CreateSession", { checks: { user: { userId }, password: { password } } });
  sessions.close();
  return result;
}

/** Asks for a reset on the forgot page and returns the link from the mail it sends. */
async function resetLinkFor(user: { username: string; email: string }): Promise<string> {
  const { page, problems } = await watchedPage(browser, server.baseUrl);
  await page.goto(`${server.baseUrl}/ui/password/forgot`);
  await page.getByLabel("Username or e-mail").fill(user.username);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByText("If an account exists for this name, a link is on its way").waitFor();
  expect(problems).toEqual([]);
  await page.context().close();
  const mail = await smtp.next((m) => mailTo(user.email)(m) && m.subject === "Reset your password");
  return codeFromLink(mail.text!).link;
}

describe("the hosted password pages in Chromium", () => {
  it("take a user from the forgot page through the e-mailed link to a new password", async () => {
    const user = await newUser();
    const link = await resetLinkFor(user);
    expect(link).toMatch(new RegExp(`^${server.baseUrl}/ui/password/reset\\?userID=${user.userId}&code=`));

    const { page, problems } = await watchedPage(browser, server.baseUrl);
    await page.goto(link);
    await page.getByText(`Hello Ada, choose a new password for ${user.email[0]}***@example.com.`).waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/ui/password/reset`); // the code left the address bar
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("Your password has been changed").waitFor();
    expect(problems).toEqual([]);

    ok(await login(user.userId, NEW_PASSWORD));
    failure(await login(user.userId, STRONG_PASSWORD), "invalid_argument", "LOGIN_FAILED");

    // The same link again: used.
    await page.goto(link);
    await page.getByText("This link is not valid any more").waitFor();
    await page.getByRole("link", { name: "Ask for a new link" }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows the rules as they are met, and refuses a confirmation that differs, at its field", async () => {
    const user = await newUser();
    const link = await resetLinkFor(user);
    const { page, problems } = await watchedPage(browser, server.baseUrl);
    await page.goto(link);
    const password = page.getByLabel("New password", { exact: true });
    await password.waitFor();
    await password.fill("short");
    await expect(page.locator("#rules li.met").allTextContents()).resolves.toContain("a lower case letter (met)");
    await expect(page.locator("#rules li.unmet").allTextContents()).resolves.toContain("at least 8 characters (not met yet)");
    await page.getByLabel("Confirm new password").fill("different");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("The two passwords are not the same.").waitFor();
    expect(await page.getByLabel("Confirm new password").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("confirm-password");
    // The server's own rules: 10 code points but 7 characters a person sees, and a combining mark is no symbol.
    await password.fill("Aa1!e\u0301e\u0301e\u0301");
    await expect(page.locator("#rules li.unmet").allTextContents()).resolves.toEqual(["at least 8 characters (not met yet)"]);
    await password.fill("Abcdefg1\u0301");
    await expect(page.locator("#rules li.unmet").allTextContents()).resolves.toEqual([expect.stringMatching(/symbol.*\(not met yet\)/)]);
    // The server's policy: every broken rule at the field.
    await password.fill("alllowercase");
    await page.getByLabel("Confirm new password").fill("alllowercase");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.locator("#new-password-error", { hasText: /upper case/i }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("completes a reset from the keyboard alone", async () => {
    const user = await newUser();
    const link = await resetLinkFor(user);
    const { page, problems } = await watchedPage(browser, server.baseUrl);
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).waitFor();
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("new-password");
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press("Tab");
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByText("Your password has been changed").waitFor();
    expect(problems).toEqual([]);
    ok(await login(user.userId, NEW_PASSWORD));
    await page.context().close();
  });

  it("looks the same on the forgot page for a name that exists and one that does not", async () => {
    const user = await newUser();
    const after = async (name: string) => {
      const { page, problems } = await watchedPage(browser, server.baseUrl);
      await page.goto(`${server.baseUrl}/ui/password/forgot`);
      await page.getByLabel("Username or e-mail").fill(name);
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.locator("#sent").waitFor();
      const text = await page.locator("main").innerText();
      expect(problems).toEqual([]);
      await page.context().close();
      return text;
    };
    expect(await after(user.username)).toBe(await after(unique("nobody")));
  });

  it("speaks German to a German browser", async () => {
    const { page, problems } = await watchedPage(browser, server.baseUrl, "de-DE");
    await page.goto(`${server.baseUrl}/ui/password/forgot`);
    await page.getByRole("heading", { name: "Passwort vergessen?" }).waitFor();
    await page.getByLabel("Benutzername oder E-Mail").waitFor();
    expect(await page.evaluate("document.documentElement.lang")).toBe("de");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("changes a password in a signed-in page: errors at their fields, other sessions ended, this one kept until sign-out", async () => {
    const user = await newUser();
    const elsewhere = ok(await login(user.userId, STRONG_PASSWORD));
    const { page, problems } = await watchedPage(browser, server.baseUrl);
    await page.goto(`${server.baseUrl}/ui/password/change`);
    await page.getByLabel("Username or e-mail").fill(user.username);
    await page.getByLabel("Password", { exact: true }).fill("Wrong-Passw0rd!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#password-error", { hasText: "The username or password is wrong." }).waitFor();
    await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as Ada Lovelace.").waitFor();
    // Nothing of the session in cookies or storage.
    expect(await page.context().cookies()).toEqual([]);
    expect(await page.evaluate("localStorage.length + sessionStorage.length")).toBe(0);

    const change = async (current: string, next: string) => {
      await page.getByLabel("Current password").fill(current);
      await page.getByLabel("New password", { exact: true }).fill(next);
      await page.getByLabel("Confirm new password").fill(next);
      await page.getByRole("button", { name: "Change password" }).click();
    };
    await change("Wrong-Passw0rd!", NEW_PASSWORD);
    await page.locator("#current-password-error", { hasText: "The current password is wrong." }).waitFor();
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("current-password");
    await change(STRONG_PASSWORD, "password");
    await page.locator("#new-password-error", { hasText: /upper case/i }).waitFor();
    const broken = await page.locator("#new-password-error").innerText();
    expect(broken).toMatch(/upper case/i);
    expect(broken).toMatch(/number|digit/i);
    expect(broken).toMatch(/symbol/i);
    await change(STRONG_PASSWORD, NEW_PASSWORD);
    await page.getByText("Your password has been changed.").waitFor();
    // The session made elsewhere ended; this page's survived: its sign-out still finds it.
    const sessions = createRpcClient<"GetSession">("connect-json", server.baseUrl, SessionService);
    failure(await sessions.call("GetSession", { sessionId: elsewhere.sessionId, sessionToken: elsewhere.sessionToken }), "not_found");
    sessions.close();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    ok(await login(user.userId, NEW_PASSWORD));
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("has no serious or critical accessibility violation in any state (axe-core)", async () => {
    const user = await newUser();
    const link = await resetLinkFor(user);
    // axe is injected as a script, which the pages' policy rightly refuses: this context alone bypasses it.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const violations = async (state: string) => {
      await page.addScriptTag({ path: AXE });
      const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
        violations: Array<{ id: string; impact: string | null; nodes: unknown[] }>;
      };
      return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${state}: ${v.id}`);
    };
    const found: string[] = [];
    await page.goto(`${server.baseUrl}/ui/password/forgot`);
    found.push(...(await violations("forgot")));
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.locator("#login-name-error", { hasText: "Please fill in this field." }).waitFor();
    found.push(...(await violations("forgot with an error")));
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("x");
    found.push(...(await violations("reset with rules")));
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("The two passwords are not the same.").waitFor();
    found.push(...(await violations("reset with errors")));
    await page.goto(`${server.baseUrl}/ui/password/reset?userID=1&code=WRONGCODE1`);
    await page.getByText("This link is not valid any more").waitFor();
    found.push(...(await violations("reset with a used link")));
    await page.goto(`${server.baseUrl}/ui/password/change`);
    found.push(...(await violations("change, signed out")));
    await page.getByLabel("Username or e-mail").fill(user.username);
    await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Change password" }).waitFor();
    found.push(...(await violations("change, signed in")));
    expect(found).toEqual([]);
    await context.close();
  });

  it("serves its pages with a strict policy, no referrer and no caching", async () => {
    for (const path of ["/ui/password/forgot", "/ui/password/reset", "/ui/password/change"]) {
      const answer = await fetch(`${server.baseUrl}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-security-policy")).toMatch(
        /default-src 'self'.*frame-ancestors 'none'.*base-uri 'none'.*form-action 'self'/,
      );
      expect(answer.headers.get("content-security-policy")).not.toMatch(/unsafe-inline/);
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("cache-control")).toBe("no-store");
    }
    expect((await fetch(`${server.baseUrl}/ui/nothing`)).status).toBe(404);
  });
});

describe("a reset link that has expired", () => {
  it("says so, with a way to ask for a new one", async () => {
    const expiring = await startServer({ env: { LATCHKEY_CODE_TTL: "1ms" } });
    try {
      const users = createUserClient("grpc", expiring.baseUrl);
      const userId = ok(await users.call("AddHumanUser", humanUser(), expiring.adminToken)).userId;
      const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, expiring.adminToken)).verificationCode;
      users.close();
      const { page, problems } = await watchedPage(browser, expiring.baseUrl);
      await page.goto(`${expiring.baseUrl}/ui/password/reset?userID=${userId}&code=${code}`);
      await page.getByText("This link has expired.").waitFor();
      await page.getByRole("link", { name: "Ask for a new link" }).click();
      await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
      expect(problems).toEqual([]);
      await page.context().close();
    } finally {
      await expiring.stop();
    }
  });
});

describe("the pages before their scripts run", () => {
  it("submit nothing natively: no password or login name in the address, the history or a request", async () => {
    for (const scripts of ["off", "stalled"] as const) {
      const context = await browser.newContext({ javaScriptEnabled: scripts !== "off" });
      const page = await context.newPage();
      const sent: string[] = [];
      page.on("request", (request) => sent.push(`${request.method()} ${request.url()} ${request.postData() ?? ""}`));
      // A script that never arrives: the form is there, its handler is not.
      if (scripts === "stalled") await page.route("**/ui/assets/*.js", () => undefined);
      for (const path of ["/ui/password/change", "/ui/password/forgot"]) {
        // A module script holds DOMContentLoaded back: wait for the form itself.
        await page.goto(`${server.baseUrl}${path}`, { waitUntil: "commit" });
        const name = page.locator("#login-name");
        await name.waitFor();
        await name.fill("ada@example.com");
        const password = page.locator("#password");
        if ((await password.count()) > 0) {
          await password.fill("Secret-Passw0rd!");
          await password.press("Enter");
        } else {
          await name.press("Enter");
        }
        await page.locator("button[type=submit]").first().click({ force: true });
        expect(page.url(), `${path} with scripts ${scripts}`).toBe(`${server.baseUrl}${path}`);
      }
      expect(sent.join("\n")).not.toMatch(/Secret-Passw0rd|ada(@|%40)example/);
      expect(sent.filter((line) => !line.startsWith("GET "))).toEqual([]);
      await context.close();
    }
  });
});

describe("the pages as an operator sets them up", () => {
  const PRODUCT_NAME = 'Acme <"Accounts"> $` $& Cloud';
  it("show the operator's product name and brand.css, and are gone with LATCHKEY_UI=false", async () => {
    const cssDir = tempDataDir();
    writeFileSync(join(cssDir, "brand.css"), ":root { --accent: rgb(200, 0, 100); }\n");
    const branded = await startServer({ env: { LATCHKEY_UI_PRODUCT_NAME: PRODUCT_NAME, LATCHKEY_UI_CSS_DIR: cssDir } });
    const off = await startServer({ env: { LATCHKEY_UI: "false" } });
    try {
      const { page, problems } = await watchedPage(browser, branded.baseUrl);
      await page.goto(`${branded.baseUrl}/ui/password/forgot`);
      await page.getByText(PRODUCT_NAME, { exact: true }).waitFor();
      // Inserted literally: String.replace's $ patterns would copy the page's head into the attribute.
      expect(await page.evaluate("document.querySelector('meta[name=product-name]').content")).toBe(PRODUCT_NAME);
      expect(await page.evaluate("document.head.querySelectorAll('title').length")).toBe(1);
      const accent = await page.evaluate("getComputedStyle(document.querySelector('button[type=submit]')).backgroundColor");
      expect(accent).toBe("rgb(200, 0, 100)");
      expect(problems).toEqual([]);
      await page.context().close();
      expect((await fetch(`${off.baseUrl}/ui/password/forgot`)).status).toBe(404);
    } finally {
      await Promise.all([branded.stop(), off.stop()]);
    }
  });

  it("say so clearly when there are too many attempts, and when the connection is lost", async () => {
    const limited = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "1" } });
    const { page, problems } = await watchedPage(browser, limited.baseUrl);
    try {
      await page.goto(`${limited.baseUrl}/ui/password/forgot`);
      const name = page.getByLabel("Username or e-mail");
      await name.fill("someone@example.com");
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.locator("#sent").waitFor();
      await page.goto(`${limited.baseUrl}/ui/password/forgot`);
      await name.fill("someone@example.com");
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.getByText("Too many attempts. Please wait a minute and try again.").waitFor();
      expect(problems).toEqual([]);
      await limited.stop();
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.getByText("The connection was lost. Check your network and try again.").waitFor();
      // The browser itself logs the refused connection; nothing else may show.
      expect(problems.filter((p) => !p.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
    } finally {
      await page.context().close();
      await limited.stop();
    }
  });
});
