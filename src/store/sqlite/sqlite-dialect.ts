import type { Dialect } from "../sql.js";

export const SQLITE_DIALECT: Dialect = {
  textList: (values) => ({ table: "json_each(?)", param: JSON.stringify(values) }),
  endsWith: (text, suffix, length) => `substr(${text}, -${length}) = ${suffix}`,
  contains: (text, part) => `instr(${text}, ${part}) > 0`,
  skipLocked: "", // one writer at a time
  readsUncommitted: true,
  // One writer at a time: positions commit in order.
  log: { transactionId: "NULL", after: "position > ?", orderBy: "position", params: (cursor) => [cursor.position] },
  holdWriters: [], // an exclusive transaction already does
  continueNumbering: () => [], // INTEGER PRIMARY KEY continues after the highest by itself
};
