/** An API token's life: added (or re-issued, for the bootstrap admin), then perhaps revoked or expired. */
export type ApiTokenEvent =
  | { type: "api_token.added"; name: string; permissions: string[]; digest: string; expiresAt: number | null }
  | { type: "api_token.reissued"; digest: string }
  | { type: "api_token.revoked" }
  | { type: "api_token.expired" };

export interface ApiTokenState {
  tokenId: string;
  name: string;
  permissions: string[];
  /** The keyed digest of the token; the token itself is never kept. */
  digest: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** When the expiry was recorded as an event (it takes effect at expiresAt regardless). */
  expiredAt: number | null;
  sequence: number;
}

export type ApiTokenStatus = "active" | "revoked" | "expired";

export function tokenStatus(token: ApiTokenState, now: number): ApiTokenStatus {
  if (token.revokedAt !== null) return "revoked";
  if (token.expiresAt !== null && token.expiresAt <= now) return "expired";
  return "active";
}

export function evolveApiToken(
  state: ApiTokenState | null,
  recorded: { event: ApiTokenEvent; aggregateId: string; sequence: number; createdAt: number },
): ApiTokenState {
  const { event, sequence, createdAt } = recorded;
  if (event.type === "api_token.added") {
    const { name, permissions, digest, expiresAt } = event;
    return { tokenId: recorded.aggregateId, name, permissions, digest, createdAt, expiresAt, revokedAt: null, expiredAt: null, sequence };
  }
  if (state === null) throw new Error(`${event.type} before api_token.added`);
  switch (event.type) {
    case "api_token.reissued":
      return { ...state, digest: event.digest, revokedAt: null, sequence };
    case "api_token.revoked":
      return { ...state, revokedAt: createdAt, sequence };
    case "api_token.expired":
      return { ...state, expiredAt: createdAt, sequence };
  }
}
