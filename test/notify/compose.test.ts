import { describe, expect, it } from "vitest";
import { open, seal } from "../../src/crypto/sealed-box.js";
import { deriveCode } from "../../src/crypto/codes.js";
import { compose } from "../../src/notify/compose.js";
import { retryDelay } from "../../src/notify/outbox-worker.js";
import { loadTemplates, render } from "../../src/notify/templates.js";
import type { PendingMessage } from "../../src/store/outbox.js";

const key = Buffer.alloc(32, 9);
const templates = loadTemplates(undefined);

const reset = (overrides: Partial<PendingMessage> = {}): PendingMessage => ({
  id: 1,
  dueAt: 0,
  messageId: "m-1",
  kind: "password_reset",
  channel: "email",
  userId: "u 1",
  recipient: "ada@example.com",
  payload: {
    urlTemplate: "https://x.example/r?u={{.UserID}}&c={{.Code}}",
    orgId: "o1",
    name: "Ada & <Co>",
    username: "ada",
    expiresAt: "0",
  },
  sealedSecret: seal(key, "ACDEFGHJKM"),
  attempts: 0,
  createdAt: 0,
  ...overrides,
});

describe("composing messages", () => {
  it("builds a reset mail with the link URL-encoded and the HTML escaped", () => {
    const mail = compose(reset(), templates, (m) => open(key, m.sealedSecret!));
    if (mail.channel !== "email") throw new Error("expected e-mail");
    expect(mail.subject).toBe("Reset your password");
    expect(mail.text).toContain("https://x.example/r?u=u%201&c=ACDEFGHJKM");
    expect(mail.text).toContain("Hello Ada & <Co>,");
    expect(mail.html).toContain('href="https://x.example/r?u=u%201&amp;c=ACDEFGHJKM"');
    expect(mail.html).toContain("Hello Ada &amp; &lt;Co&gt;,");
  });

  it("computes a link's code from the key and the message, so it need never be stored", () => {
    const code = deriveCode(key, "u1", "m-1");
    expect(code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{10}$/);
    expect(deriveCode(key, "u1", "m-1")).toBe(code);
    expect(deriveCode(key, "u1", "m-2")).not.toBe(code);
    expect(deriveCode(Buffer.alloc(32, 8), "u1", "m-1")).not.toBe(code);
    const mail = compose(reset({ sealedSecret: null }), templates, (m) => deriveCode(key, m.userId, m.messageId));
    if (mail.channel !== "email") throw new Error("expected e-mail");
    expect(mail.text).toContain(`c=${deriveCode(key, "u 1", "m-1")}`);
  });

  it("builds an SMS with the code and a password-changed notice without one", () => {
    const sms = compose(reset({ channel: "sms", recipient: "+41791234567" }), templates, (m) => open(key, m.sealedSecret!));
    expect(sms).toMatchObject({ channel: "sms", to: "+41791234567" });
    expect(sms.text).toContain("is ACDEFGHJKM");
    const notice = compose(
      reset({
        kind: "password_changed",
        sealedSecret: null,
        payload: { name: "Ada", username: "ada", method: "privileged", changedAt: "0" },
      }),
      templates,
      () => "",
    );
    expect(notice.text).toContain("was changed by an administrator at Thu, 01 Jan 1970 00:00:00 GMT");
  });

  it("leaves unknown placeholders visible", () => {
    expect(render("{{known}} {{unknown}}", { known: "<x>" }, "html")).toBe("&lt;x&gt; {{unknown}}");
  });
});

describe("retry delays", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 8000 };
  it("double per attempt between half and all of the step, up to the maximum", () => {
    expect([1, 2, 3].map((n) => retryDelay(n, policy, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => retryDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000]);
    expect(retryDelay(20, policy, () => 1)).toBe(8000);
  });
});
