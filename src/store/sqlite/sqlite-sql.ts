import type Database from "better-sqlite3";
import { UniqueViolation, type Sql, type StatementOptions } from "../sql.js";
import type { Db } from "./database.js";
import { SQLITE_DIALECT } from "./sqlite-dialect.js";

/**
 * Sql over better-sqlite3, with each statement prepared once. `write` wraps statements that
 * change something (group-commit.ts); inside a transaction there is none, the caller holds it.
 */
export class SqliteSql implements Sql {
  readonly dialect = SQLITE_DIALECT;

  constructor(
    private readonly db: Db,
    private readonly statements: Map<string, Database.Statement>,
    private readonly write: (<T>(work: () => Promise<T>) => Promise<T>) | null,
  ) {}

  get<T>(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<T | undefined> {
    return this.execute(sql, (s) => (s.reader ? (s.get(...params) as T | undefined) : (s.run(...params), undefined)), options);
  }

  all<T>(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<T[]> {
    return this.execute(sql, (s) => s.all(...params) as T[], options);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return this.execute(sql, (s) => ({ changes: s.run(...params).changes }));
  }

  private execute<T>(sql: string, work: (statement: Database.Statement) => T, options?: StatementOptions): Promise<T> {
    const statement = options?.keep === false ? this.db.prepare(sql) : this.prepare(sql);
    const attempt = async () => {
      try {
        return work(statement);
      } catch (error) {
        throw translate(error);
      }
    };
    return statement.readonly || this.write === null ? attempt() : this.write(attempt);
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function translate(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    // "UNIQUE constraint failed: events.instance_id, events.aggregate_type, …"
    const table = /failed: (\w+)\./.exec((error as Error).message)?.[1] ?? "unknown";
    return new UniqueViolation(table);
  }
  return error;
}
