// npm run screenshots: the hosted pages as users see them, into docs/screenshots/ for the README.
// Starts a server of its own (the build in dist/), drives real Chromium, writes PNGs.
import { join } from "node:path";
import { launchBrowser } from "../test/helpers/browser.js";
import { createUserClient } from "../test/helpers/clients.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startServer } from "../test/helpers/server.js";
import { UI_PATHS } from "../src/server/ui-paths.js";

const out = join(import.meta.dirname, "..", "docs", "screenshots");
const server = await startServer({ built: true, backend: "sqlite" });
const browser = await launchBrowser();
try {
  const users = createUserClient("grpc", server.baseUrl);
  const request = humanUser({ profile: { givenName: "Ada", familyName: "Lovelace" } });
  const userId = ok(await users.call("AddHumanUser", request, server.adminToken)).userId as string;
  const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, server.adminToken)).verificationCode as string;
  users.close();
  const page = await (await browser.newContext({ viewport: { width: 640, height: 720 }, locale: "en-US" })).newPage();
  const shot = (name: string) => page.screenshot({ path: join(out, `${name}.png`) });

  await page.goto(`${server.baseUrl}${UI_PATHS.forgot}`);
  await page.getByLabel("Username or e-mail").fill(request.username as string);
  await shot("forgot");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.locator("#sent").waitFor();
  await shot("forgot-sent");

  await page.goto(`${server.baseUrl}${UI_PATHS.reset}?userID=${userId}&code=${code}`);
  await page.getByLabel("New password", { exact: true }).fill("Ab3!");
  await page.getByLabel("Confirm new password").fill("Ab3?");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByText("The two passwords are not the same.").waitFor();
  await shot("reset");
  await page.goto(`${server.baseUrl}${UI_PATHS.reset}?userID=${userId}&code=WRONGCODE1`);
  await page.getByText("This link is not valid any more").waitFor();
  await shot("reset-invalid");

  await page.goto(`${server.baseUrl}${UI_PATHS.change}`);
  await page.getByLabel("Username or e-mail").fill(request.username as string);
  await page.getByLabel("Password", { exact: true }).fill("Corr3ct-Horse!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Change password" }).waitFor();
  await page.getByLabel("New password", { exact: true }).fill("Stronger-Passw0rd!");
  await shot("change");
  process.stdout.write(`screenshots in ${out}\n`);
} finally {
  await browser.close();
  await server.stop();
}
