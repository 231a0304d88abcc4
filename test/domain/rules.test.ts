import { describe, expect, it } from "vitest";
import { DEFAULT_PASSWORD_POLICY, passwordViolations } from "../../src/domain/password-policy.js";
import { renderLink, urlTemplateViolations } from "../../src/domain/url-template.js";
import { checkEmail, loginNameKey, Violations } from "../../src/domain/user-input.js";

const describeAll = (password: string, policy = DEFAULT_PASSWORD_POLICY) =>
  passwordViolations(password, policy, "password").map((v) => v.description);

describe("password policy", () => {
  it("accepts a password meeting every rule, in any script", () => {
    expect(describeAll("Corr3ct-Horse!")).toEqual([]);
    expect(describeAll("Ünïcødé-Pässwört1")).toEqual([]);
  });

  it("names each broken rule", () => {
    expect(describeAll("")).toEqual(["a password is required"]);
    expect(describeAll("short")).toEqual([
      "must be at least 8 characters long",
      "must contain an upper case letter",
      "must contain a number",
      "must contain a symbol or punctuation character",
    ]);
    expect(describeAll("ALLUPPER1!")).toEqual(["must contain a lower case letter"]);
  });

  it("counts characters, not bytes, up to 200", () => {
    expect(describeAll("Aa1!" + "é".repeat(196))).toEqual([]);
    expect(describeAll("Aa1!" + "é".repeat(197))).toEqual(["must be at most 200 characters long"]);
  });

  it("counts only visible characters, and invisible ones satisfy no rule", () => {
    // Five zero-width and direction marks plus 1aA: eight code points, three visible characters.
    const invisible = "\u200B\u200C\u200D\u200E\u202E";
    expect(describeAll(invisible + "1aA")).toEqual([
      "must be at least 8 characters long",
      "must contain a symbol or punctuation character",
    ]);
    expect(describeAll("Corr3ctHorse" + invisible)).toEqual(["must contain a symbol or punctuation character"]);
    // A letter with a combining mark is one character.
    expect(describeAll("Aa1!e\u0301e\u0301e\u0301", { ...DEFAULT_PASSWORD_POLICY, minLength: 8 })).toEqual([
      "must be at least 8 characters long",
    ]);
  });

  it("refuses control characters", () => {
    expect(describeAll("Corr3ct-Horse!\u0000")).toEqual(["must not contain control characters"]);
    expect(describeAll("Corr3ct\tHorse!")).toEqual(["must not contain control characters"]);
  });

  it("follows a relaxed configuration", () => {
    const relaxed = {
      ...DEFAULT_PASSWORD_POLICY,
      minLength: 4,
      requireUppercase: false,
      requireLowercase: false,
      requireNumber: false,
      requireSymbol: false,
    };
    expect(describeAll("abcd", relaxed)).toEqual([]);
    expect(describeAll("abc", relaxed)).toEqual(["must be at least 4 characters long"]);
  });
});

describe("reset link templates", () => {
  it("fills placeholders URL-encoded", () => {
    expect(renderLink("https://x.example/r?u={{.UserID}}&c={{.Code}}&o={{.OrgID}}", { userId: "a&b", code: "C D", orgId: "1" })).toBe(
      "https://x.example/r?u=a%26b&c=C%20D&o=1",
    );
  });

  it("accepts only absolute http(s) links", () => {
    expect(urlTemplateViolations("https://x.example/{{.Code}}", "f")).toEqual([]);
    for (const bad of ["ftp://x.example/{{.Code}}", "javascript:alert(1)", "/path", "x".repeat(2001)]) {
      expect(urlTemplateViolations(bad, "f")).toHaveLength(1);
    }
  });

  it("accepts only text that parses back to itself, so every URL parser sees the same host", () => {
    // WHATWG reads the host of the first as localhost; other parsers read evil.example.
    for (const ambiguous of [
      "http://localhost:8080\\@evil.example/r?c={{.Code}}",
      "http://localhost:8080\\evil.example/{{.Code}}",
      "https://App.Example.com/{{.Code}}",
      "https://x.example/a b/{{.Code}}",
      "https://x.example/\t{{.Code}}",
      "https://x.example",
      " https://x.example/{{.Code}}",
      "https://x.example/../{{.Code}}",
    ]) {
      expect(urlTemplateViolations(ambiguous, "f"), ambiguous).toEqual([
        {
          field: "f",
          description: "must be written as a plain URL exactly as browsers write it back (for example with a slash after the host)",
        },
      ]);
    }
    expect(urlTemplateViolations("https://x.example/r?u={{.UserID}}&c={{.Code}}&o={{.OrgID}}#top", "f")).toEqual([]);
    expect(urlTemplateViolations("http://localhost:8080/password/reset?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}", "f")).toEqual(
      [],
    );
  });
});

describe("user input", () => {
  it("checks e-mail syntax", () => {
    for (const good of ["a@b.co", "first.last+tag@sub.example.org", "o'brien@x-y.example", "jürgen@bücher.example"]) {
      const v = new Violations();
      checkEmail(v, "e", good);
      expect(v.list).toEqual([]);
    }
    const smuggled = [
      "victim,attacker@evil.example",
      "victim<attacker@evil.example>",
      "Victim <victim@example.com>",
      '"a,b"@example.com',
      "victim@example.com,attacker@evil.example",
      "victim@example.com (comment)",
      "victim(comment)@example.com",
      "victim@example.com\r\nBcc:x@evil.example",
      "victim;attacker@evil.example",
      "victim@-example.com",
      ".victim@example.com",
    ];
    for (const bad of ["", "a@b", "a b@c.de", "@c.de", "a@@c.de", "a@c..de", ...smuggled]) {
      const v = new Violations();
      checkEmail(v, "e", bad);
      expect(v.list, bad).toHaveLength(1);
    }
  });

  it("compares login names case-insensitively", () => {
    expect(loginNameKey("Ada@Example.COM")).toBe(loginNameKey("ada@example.com"));
  });
});
