import { POSTGRES_DIALECT } from "./postgres-dialect.js";
import type pg from "pg";
import { StoreUnavailableError, UniqueViolation, type Sql, type StatementOptions } from "../sql.js";

/** A statement as PostgreSQL takes it: `$n` placeholders, and a name so each connection prepares it once. */
interface PreparedText {
  name: string;
  text: string;
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … */
function placeholdersAsNumbers(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Statement texts by their `?` form, shared by every connection of a pool. */
export class StatementNames {
  private readonly byText = new Map<string, PreparedText>();

  of(sql: string): PreparedText {
    let prepared = this.byText.get(sql);
    if (prepared === undefined) {
      prepared = { name: `s${this.byText.size}`, text: placeholdersAsNumbers(sql) };
      this.byText.set(sql, prepared);
    }
    return prepared;
  }
}

/** Sql over the pool (each statement on its own) or over one client in a transaction. */
export class PostgresSql implements Sql {
  readonly dialect = POSTGRES_DIALECT;

  constructor(
    private readonly target: pg.Pool | pg.PoolClient,
    private readonly names: StatementNames,
    /** How long one statement may take before it fails Unavailable; none when undefined. */
    private readonly timeoutMs?: number,
  ) {}

  async get<T>(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<T | undefined> {
    return (await this.query(sql, params, options)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: readonly unknown[] = [], options?: StatementOptions): Promise<T[]> {
    return (await this.query(sql, params, options)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  private async query(sql: string, params: readonly unknown[], options?: StatementOptions): Promise<pg.QueryResult> {
    try {
      return await this.target.query({
        ...(options?.keep === false ? { text: placeholdersAsNumbers(sql) } : this.names.of(sql)),
        values: params as unknown[],
        ...(this.timeoutMs !== undefined && { query_timeout: this.timeoutMs }),
      });
    } catch (error) {
      throw translate(error);
    }
  }
}

/** PostgreSQL's errors in the store's terms: a broken unique key, an unreachable database, or as they are. */
export function translate(error: unknown): unknown {
  const { code, table } = error as { code?: string; table?: string };
  if (code === "23505") return new UniqueViolation(table ?? "unknown");
  if (isUnavailable(error)) return new StoreUnavailableError(code ?? (error as Error).message);
  return error;
}

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

/** Connection lost or refused, the server shutting down or starting, or too many connections. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { code, message } = error as { code?: string; message?: string };
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith("08") || code.startsWith("57P") || code === "53300")) {
    return true;
  }
  // pg's own words for a connection that ended or never came
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Query read timeout/i.test(
    message ?? "",
  );
}
