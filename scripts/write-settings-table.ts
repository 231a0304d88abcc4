// Rewrites the README's settings table from the settings table in src/config/settings.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { replaceSettingsTable } from "../src/config/settings-docs.js";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, replaceSettingsTable(readFileSync(path, "utf8")));
