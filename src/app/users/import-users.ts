import { DomainError } from "../../domain/errors.js";
import type { UserState } from "../../domain/user.js";
import type { Actor, AppContext } from "../shared/context.js";
import { ConcurrencyError } from "../../store/events.js";
import { LoginNameTakenError } from "../../store/users.js";
import { appendNew, USERS } from "../shared/aggregates.js";
import { countLocks } from "../shared/write-user.js";
import {
  decideNewUser,
  preparePassword,
  prepareNewUser,
  takenError,
  userIdTaken,
  writeNewUser,
  type AddHumanUserInput,
  type CheckedNewUser,
} from "./add-human-user.js";

/** The most users one import call takes. */
export const MAX_USERS_PER_IMPORT = 1000;
/** Users checked, hashed and written at once (one transaction): few enough to bound memory and a transaction's length. */
const AT_ONCE = 250;

/** One user's outcome: added (in a dry run, the state it would have had is not made), or refused. */
export type ImportOutcome = { added: UserState | null } | { refused: DomainError };

/**
 * Adds each user as AddHumanUser would, independently: a refusal is that user's outcome, and
 * nothing is written for it. Within one call the first user with an id or login name wins; a
 * later one is refused as taken, as it would be in a later call. Anything but a refusal (the
 * store gone, say) fails the whole call: what was written stays, and a re-run adds the rest.
 */
export async function importUsers(
  app: Pick<AppContext, "clock" | "defaultOrgId" | "hasher" | "metrics" | "settings" | "store" | "userLocks">,
  users: readonly AddHumanUserInput[],
  actor: Actor,
  dryRun: boolean,
): Promise<ImportOutcome[]> {
  const prepared = await inBatches(users, (input) => refusalOr(() => prepareNewUser(app, input)));
  const seen = new Set<string>();
  const unique = await notTaken(
    app,
    prepared.map((user) => (user instanceof DomainError ? user : firstWithItsNames(user, seen))),
  );
  if (dryRun) return unique.map((user) => (user instanceof DomainError ? { refused: user } : { added: null }));
  const outcomes: ImportOutcome[] = [];
  for (let i = 0; i < unique.length; i += AT_ONCE) outcomes.push(...(await writeAll(app, unique.slice(i, i + AT_ONCE), actor)));
  return outcomes;
}

/**
 * Writes the users in one transaction. If one of them was added meanwhile (another writer came
 * first with its id or a name), nothing is, and each is written on its own, as AddHumanUser would.
 */
async function writeAll(
  app: Parameters<typeof importUsers>[0],
  users: Array<CheckedNewUser | DomainError>,
  actor: Actor,
): Promise<ImportOutcome[]> {
  const passwords = await Promise.all(
    users.map((user) => (user instanceof DomainError ? null : preparePassword(app, user.input.password))),
  );
  const toWrite = users.flatMap((user, i) => (user instanceof DomainError ? [] : [{ user, password: passwords[i]! }]));
  const now = app.clock();
  const created = toWrite.map(({ user, password }) => ({
    id: user.userId,
    owner: user.orgId,
    actor,
    createdAt: now,
    events: decideNewUser(user, password, null).events,
  }));
  try {
    const states = await appendNew(app.store, USERS, created);
    for (const { events } of created) countLocks(app, events);
    const added = new Map(states.map((state) => [state.userId, state]));
    return users.map((user) => (user instanceof DomainError ? { refused: user } : { added: added.get(user.userId)! }));
  } catch (error) {
    if (!(error instanceof ConcurrencyError || error instanceof LoginNameTakenError)) throw error;
  }
  return Promise.all(
    users.map(async (user, i): Promise<ImportOutcome> => {
      if (user instanceof DomainError) return { refused: user };
      const added = await refusalOr(() => writeNewUser(app, user, actor, passwords[i]!));
      return added instanceof DomainError ? { refused: added } : { added };
    }),
  );
}

/** Each user, or why it cannot be added: its id or a login name is taken already (two look-ups for all). */
async function notTaken(
  app: Pick<AppContext, "store">,
  users: Array<CheckedNewUser | DomainError>,
): Promise<Array<CheckedNewUser | DomainError>> {
  const checked = users.filter((u): u is CheckedNewUser => !(u instanceof DomainError));
  const ids = await app.store.users.existingIds(checked.map((u) => u.userId));
  const names = await app.store.users.heldNames(checked.flatMap((u) => u.names.map((n) => n.key)));
  return users.map((user) => {
    if (user instanceof DomainError) return user;
    if (ids.has(user.userId)) return userIdTaken();
    const held = user.names.find((n) => names.has(n.key));
    return held === undefined ? user : takenError(held.kind);
  });
}

/** The user, or why an earlier one in the same call has its id or a login name. */
function firstWithItsNames(user: CheckedNewUser, seen: Set<string>): CheckedNewUser | DomainError {
  if (seen.has(`id:${user.userId}`)) return userIdTaken();
  for (const { key, kind } of user.names) if (seen.has(`name:${key}`)) return takenError(kind);
  seen.add(`id:${user.userId}`);
  for (const { key } of user.names) seen.add(`name:${key}`);
  return user;
}

async function refusalOr<T>(work: () => Promise<T>): Promise<T | DomainError> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/** `work` on every item, AT_ONCE at a time, the results in the items' order. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += AT_ONCE) results.push(...(await Promise.all(items.slice(i, i + AT_ONCE).map(work))));
  return results;
}
