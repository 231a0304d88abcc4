import { join } from "node:path";
import { ApiTokens } from "./api-tokens.js";
import { openDatabase, type Db } from "./database.js";
import { EventStore } from "./event-store.js";
import { OrgProjection } from "./org-projection.js";
import { Outbox } from "./outbox.js";
import { SessionProjection } from "./session-projection.js";
import { Settings } from "./settings.js";
import { UserProjection } from "./user-projection.js";

export const DATABASE_FILE = "latchkey.db";

/** Tables rebuilt from events alone; everything else (tokens, outbox, settings) is not derived. */
export const PROJECTION_TABLES = ["users", "login_names", "orgs", "sessions"] as const;
/** Raised when a projection's shape or meaning changes: the server rebuilds them at start. */
export const PROJECTION_VERSION = 2;

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
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  return {
    db,
    events: new EventStore(db),
    users: new UserProjection(db),
    orgs: new OrgProjection(db),
    sessions: new SessionProjection(db),
    tokens: new ApiTokens(db),
    outbox: new Outbox(db),
    settings: new Settings(db),
    transaction: (work) => db.transaction(work).immediate(),
    close: () => db.close(),
  };
}
