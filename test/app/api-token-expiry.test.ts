import { describe, expect, it } from "vitest";
import { createApiToken, listApiTokens, recordExpiredTokens, revokeApiToken } from "../../src/app/tokens/api-tokens.js";
import { deriveKeys } from "../../src/crypto/keys.js";
import { testStore } from "../helpers/app.js";
import { BACKENDS } from "../helpers/postgres.js";

const T0 = 1_700_000_000_000;

describe.each(BACKENDS)("the expiry sweep and revocation on %s", (backend) => {
  it("records each token past its expiry once, and leaves the others", async () => {
    const store = await testStore(backend);
    try {
      const keys = deriveKeys(Buffer.alloc(32, 7));
      const short = await createApiToken(store, keys, { name: "short", permissions: ["user.read"], expiresAt: T0 + 1_000 }, T0);
      const long = await createApiToken(store, keys, { name: "long", permissions: ["user.read"], expiresAt: T0 + 86_400_000 }, T0);
      await createApiToken(store, keys, { name: "forever", permissions: ["user.read"], expiresAt: null }, T0);

      await recordExpiredTokens(store, T0 + 500);
      expect((await store.readAggregateEvents(short.tokenId, 0, 10)).map((e) => e.type)).toEqual(["api_token.added"]);

      // Two replicas sweeping at once: one event, no error.
      await Promise.all([recordExpiredTokens(store, T0 + 2_000), recordExpiredTokens(store, T0 + 2_000)]);
      const events = await store.readAggregateEvents(short.tokenId, 0, 10);
      expect(events.map((e) => [e.type, e.creator])).toEqual([
        ["api_token.added", "cli"],
        ["api_token.expired", "system"],
      ]);
      expect((await store.readAggregateEvents(long.tokenId, 0, 10)).map((e) => e.type)).toEqual(["api_token.added"]);
      const listed = await listApiTokens(store, T0 + 2_000);
      expect(Object.fromEntries(listed.map((t) => [t.name, t.status]))).toEqual({ short: "expired", long: "active", forever: "active" });
    } finally {
      await store.close();
    }
  });

  it("revokes a token once when many revokes race: each answers with the revoked token, one event is written", async () => {
    const store = await testStore(backend);
    try {
      const keys = deriveKeys(Buffer.alloc(32, 7));
      const { tokenId } = await createApiToken(store, keys, { name: "raced", permissions: ["user.read"], expiresAt: null }, T0);
      const revoked = await Promise.all(Array.from({ length: 16 }, () => revokeApiToken(store, tokenId, T0 + 1_000)));
      for (const token of revoked) expect(token).toMatchObject({ tokenId, revokedAt: T0 + 1_000 });
      expect((await store.readAggregateEvents(tokenId, 0, 20)).map((e) => e.type)).toEqual(["api_token.added", "api_token.revoked"]);
    } finally {
      await store.close();
    }
  });
});
