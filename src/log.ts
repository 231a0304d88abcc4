type LogFields = Record<string, string | number | boolean | null | undefined>;

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** One JSON object per line. Callers pass ids and counts, never passwords, codes or tokens. */
export function createLogger(minimum: LogLevel = "info", write: (line: string) => void = coalescedStdout()): Logger {
  const threshold = LEVELS.indexOf(minimum);
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (LEVELS.indexOf(level) < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/**
 * Lines written while the event loop handles one batch of input go out in one write: stdout to a
 * pipe or file is a blocking system call per write, a measurable share of a cheap call. What is
 * pending is written when the process exits.
 */
function coalescedStdout(): (line: string) => void {
  let pending = "";
  const flush = () => {
    if (pending === "") return;
    process.stdout.write(pending);
    pending = "";
  };
  process.on("exit", flush);
  return (line) => {
    if (pending === "") setImmediate(flush);
    pending += line;
  };
}
