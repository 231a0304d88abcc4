import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replaceSettingsTable, usage } from "../../src/config/settings-docs.js";
import { allSettings } from "../../src/config/settings.js";
import { ROOT } from "../helpers/server.js";

describe("the settings documentation", () => {
  it("in the README is the table the server reads (npm run docs:settings writes it)", () => {
    const readme = readFileSync(`${ROOT}/README.md`, "utf8");
    expect(replaceSettingsTable(readme)).toBe(readme);
  });

  it("in --help names every setting once, with its default", () => {
    const help = usage();
    for (const setting of allSettings()) {
      expect(help.split("\n").filter((line) => line.includes(` ${setting.env} `))).toHaveLength(1);
    }
    expect(help).toMatch(/--bcrypt-cost +LATCHKEY_BCRYPT_COST .*\[default: 12\]/);
  });
});
