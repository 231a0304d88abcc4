import { afterAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { testStore } from "../helpers/app.js";

interface Column {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
}

/** The kinds the table code relies on: whole numbers (epoch milliseconds, flags, counts), fractions and text. */
function kind(declared: string): string {
  const type = declared.toLowerCase();
  if (["integer", "bigint"].includes(type)) return "integer";
  if (["real", "double precision"].includes(type)) return "real";
  return type;
}

async function sqliteColumns(store: Store): Promise<Column[]> {
  const tables = await store.sql.all<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  const columns: Column[] = [];
  for (const { name } of tables) {
    const info = await store.sql.all<{ name: string; type: string; notnull: number; pk: number }>(`SELECT * FROM pragma_table_info(?)`, [
      name,
    ]);
    for (const c of info) columns.push({ table: name, column: c.name, type: kind(c.type), notNull: c.notnull === 1 || c.pk === 1 });
  }
  return columns;
}

async function postgresColumns(store: Store): Promise<Column[]> {
  const rows = await store.sql.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name, type: kind(r.data_type), notNull: r.is_nullable === "NO" }));
}

/** What only one backend has, on purpose: its own bookkeeping of the schema and of commit order. */
const OWN_TO_POSTGRES = new Set(["schema_migrations", "events.transaction_id"]);

const byName = (columns: Column[]) =>
  columns
    .filter((c) => !OWN_TO_POSTGRES.has(c.table) && !OWN_TO_POSTGRES.has(`${c.table}.${c.column}`))
    .sort((a, b) => a.table.localeCompare(b.table) || a.column.localeCompare(b.column));

describe("the two backends' schemas", () => {
  const stores: Store[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.close())));

  it("have the same tables and columns, of the same kinds, nullable alike, after every migration", async () => {
    const sqlite = await testStore("sqlite");
    const postgres = await testStore("postgres");
    stores.push(sqlite, postgres);
    const onSqlite = byName(await sqliteColumns(sqlite));
    expect(onSqlite.map((c) => c.table)).toContain("events");
    expect(byName(await postgresColumns(postgres))).toEqual(onSqlite);
  });
});
