import { generateId, generateToken } from "../../crypto/codes.js";
import { apiTokenDigest } from "../shared/digests.js";
import type { Keys } from "../../crypto/keys.js";
import { tokenStatus, type ApiTokenEvent, type ApiTokenState, type ApiTokenStatus } from "../../domain/api-token.js";
import { appenderIn, type Store } from "../../store/store.js";
import { API_TOKENS, TOKEN_OWNER } from "../shared/aggregates.js";
import { commandStoreIn, handleCommand, type CommandStore } from "../shared/command-handler.js";
import type { Actor } from "../shared/context.js";

/** Who writes token events from the command line, and from the server's own bookkeeping. */
const CLI_ACTOR: Actor = { id: "cli" };
export const SYSTEM_ACTOR: Actor = { id: "system" };

/** A command on one token, through the one command handler, at `now`. */
export function tokenCommand(
  store: CommandStore,
  actor: Actor,
  tokenId: string,
  now: number,
  plan: (state: ApiTokenState | null) => ApiTokenEvent[],
): Promise<ApiTokenState> {
  return handleCommand(
    store,
    API_TOKENS,
    tokenId,
    actor,
    () => now,
    (state) => ({ events: plan(state), owner: TOKEN_OWNER }),
  );
}

/** A new API token for a service account. The token is returned once; only its digest is kept. */
export async function createApiToken(
  store: Store,
  keys: Keys,
  request: { name: string; permissions: readonly string[]; expiresAt: number | null },
  now: number,
): Promise<{ tokenId: string; token: string }> {
  const token = generateToken();
  const tokenId = `token-${generateId()}`;
  const added: ApiTokenEvent = {
    type: "api_token.added",
    name: request.name,
    permissions: [...request.permissions],
    digest: apiTokenDigest(keys, token),
    expiresAt: request.expiresAt,
  };
  await tokenCommand(store, CLI_ACTOR, tokenId, now, () => [added]);
  return { tokenId, token };
}

export interface ListedToken {
  tokenId: string;
  name: string;
  permissions: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  status: ApiTokenStatus;
}

/** Every token as an operator sees it: never the token, nor its digest. */
export async function listApiTokens(store: Store, now: number): Promise<ListedToken[]> {
  return (await store.tokens.list()).map((t) => ({
    tokenId: t.tokenId,
    name: t.name,
    permissions: t.permissions,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    status: tokenStatus(t, now),
  }));
}

export class TokenNotFoundError extends Error {
  constructor(which: string, detail = "") {
    super(`no API token has the id or name "${which}"${detail}`);
    this.name = "TokenNotFoundError";
  }
}

/**
 * Revokes a token named by its id, or by a name only one token that is still active holds. Running
 * servers refuse it from their next call on: they read the token's row for every call.
 */
export async function revokeApiToken(store: Store, which: string, now: number): Promise<ApiTokenState> {
  const tokens = await store.tokens.list();
  const byId = tokens.find((t) => t.tokenId === which);
  const byName = tokens.filter((t) => t.name === which && tokenStatus(t, now) === "active");
  if (byId === undefined && byName.length > 1) {
    throw new TokenNotFoundError(which, `: ${byName.length} active tokens have that name, revoke one by its id (token list)`);
  }
  const target = byId ?? byName[0];
  if (target === undefined) throw new TokenNotFoundError(which);
  // Of concurrent revokes, one records it; the others find it revoked.
  return tokenCommand(store, CLI_ACTOR, target.tokenId, now, (state) => (state?.revokedAt === null ? [{ type: "api_token.revoked" }] : []));
}

/** Records, for the audit trail, the expiry of tokens past it (it took effect at their expiry regardless). */
export async function recordExpiredTokens(store: Store, now: number): Promise<void> {
  for (const token of await store.tokens.expiredUnrecorded(now)) await recordExpiry(store, token, now);
}

/** Records one token's expiry once: another call or replica doing it first leaves nothing to do. */
export async function recordExpiry(store: CommandStore, token: ApiTokenState, now: number): Promise<void> {
  await tokenCommand(store, SYSTEM_ACTOR, token.tokenId, now, (state) =>
    state !== null && state.expiredAt === null && state.expiresAt !== null && state.expiresAt <= now ? [{ type: "api_token.expired" }] : [],
  );
}

/**
 * Gives each token stored before tokens were event-sourced its `api_token.added` event, so the
 * projection can be rebuilt from the log. Runs before any rebuild; a no-op once done.
 */
export async function recordUnrecordedTokens(store: Store): Promise<void> {
  if ((await store.tokens.unrecorded()).length === 0) return;
  await store.exclusive(async (tx) => {
    for (const token of await tx.tokens.unrecorded()) {
      const { tokenId, name, permissions, digest, createdAt } = token;
      const added: ApiTokenEvent = { type: "api_token.added", name, permissions, digest, expiresAt: null };
      await tokenCommand(commandStoreIn(tx, appenderIn(tx)), SYSTEM_ACTOR, tokenId, createdAt, () => [added]);
    }
  });
}
