import { join } from "node:path";
import { ApiTokens } from "./api-tokens.js";
import { openDatabase, type Db } from "./database.js";
import { EventStore } from "./event-store.js";
import { GroupCommit } from "./group-commit.js";
import { OrgProjection } from "./org-projection.js";
import { Outbox } from "./outbox.js";
import { SessionProjection } from "./session-projection.js";
import { Settings } from "./settings.js";
import { UserProjection } from "./user-projection.js";
import { MAX_PASSWORD_HISTORY } from "../domain/user.js";

export const DATABASE_FILE = "latchkey.db";

/** Tables rebuilt from events alone; everything else (tokens, outbox, settings) is not derived. */
export const PROJECTION_TABLES = ["users", "login_names", "orgs", "sessions"] as const;
/** Raised when a projection's shape or meaning changes: the server rebuilds them at start. */
export const PROJECTION_VERSION = 4;

export interface Store {
  db: Db;
  events: EventStore;
  users: UserProjection;
  orgs: OrgProjection;
  sessions: SessionProjection;
  tokens: ApiTokens;
  outbox: Outbox;
  settings: Settings;
  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T;
  /** Settles once every event appended so far is committed (see group-commit.ts). */
  durable(): Promise<void>;
  /** Whether appended events still wait for their commit. */
  hasUncommittedWrites(): boolean;
  /** Commits what is pending, then closes the database. */
  close(): void;
}

/**
 * `onCommitError` hears of a failed group commit; by default it throws, which ends a tool's process.
 * `passwordHistoryKept`: how many earlier password hashes the users projection keeps (what the
 * configured reuse rule needs); the event log keeps them all, so a rebuild restores more.
 */
export function openStore(
  dataDir: string,
  onCommitError: (error: Error) => void = (error) => {
    throw error;
  },
  passwordHistoryKept = MAX_PASSWORD_HISTORY,
): Store {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const commits = new GroupCommit(db, onCommitError);
  return {
    db,
    events: new EventStore(db, (work) => commits.write(work)),
    users: new UserProjection(db, passwordHistoryKept),
    orgs: new OrgProjection(db),
    sessions: new SessionProjection(db),
    tokens: new ApiTokens(db),
    outbox: new Outbox(db),
    settings: new Settings(db),
    transaction: (work) => db.transaction(work).immediate(),
    durable: () => commits.durable(),
    hasUncommittedWrites: () => commits.isOpen(),
    close: () => {
      commits.flush();
      db.close();
    },
  };
}
