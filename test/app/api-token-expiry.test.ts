import { describe, expect, it } from "vitest";
import { createApiToken, listApiTokens, recordExpiredTokens } from "../../src/app/api-tokens.js";
import { deriveKeys } from "../../src/crypto/keys.js";
import { testStore } from "../helpers/app.js";
import { BACKENDS } from "../helpers/postgres.js";

const T0 = 1_700_000_000_000;

describe.each(BACKENDS)("the expiry sweep on %s", (backend) => {
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
});
