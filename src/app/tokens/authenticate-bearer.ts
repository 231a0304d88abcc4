import { digestsEqual } from "../../crypto/digest.js";
import { tokenStatus, type ApiTokenState } from "../../domain/api-token.js";
import type { SessionState } from "../../domain/session.js";
import type { AppContext } from "../shared/context.js";
import { recordExpiry } from "./api-tokens.js";
import { apiTokenDigest } from "../shared/digests.js";
import { authenticateSessionToken } from "../sessions/session-tokens.js";

type ApiToken = Pick<ApiTokenState, "tokenId" | "name" | "permissions">;
type Credential = { kind: "api_token"; token: ApiToken } | { kind: "session"; session: SessionState };

/** A token's last use is written at most this often, so a busy token costs no write per call. */
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * What a bearer token stands for: an active API token of a service account, or a user's active
 * session. Lookups are by keyed digest, which an attacker cannot steer towards a stored one; the
 * final comparison is constant-time as well. A revoked or expired API token is looked up again as
 * a session token, as an unknown one is, so both answer alike.
 */
export async function authenticateBearer(
  app: Pick<AppContext, "background" | "clock" | "keys" | "settings" | "store">,
  bearer: string,
): Promise<Credential | null> {
  if (bearer.length === 0 || bearer.length > 512) return null;
  const digest = apiTokenDigest(app.keys, bearer);
  const stored = await app.store.tokens.byDigest(digest);
  if (stored !== null && digestsEqual(stored.digest, digest)) {
    const now = app.clock();
    const status = tokenStatus(stored, now);
    if (status === "active") {
      if (stored.lastUsedAt === null || now - stored.lastUsedAt >= LAST_USE_RESOLUTION_MS) {
        app.background.run("token use", () => app.store.tokens.markUsed(stored.tokenId, now, LAST_USE_RESOLUTION_MS));
      }
      return { kind: "api_token", token: { tokenId: stored.tokenId, name: stored.name, permissions: stored.permissions } };
    }
    if (status === "expired" && stored.expiredAt === null) {
      app.background.run("token expiry", () => recordExpiry(app.store, stored, now));
    }
  }
  const session = await authenticateSessionToken(app, bearer);
  return session === null ? null : { kind: "session", session };
}
