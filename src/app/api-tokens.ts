import { generateId, generateToken } from "../crypto/codes.js";
import type { Keys } from "../crypto/keys.js";
import type { Store } from "../store/store.js";
import { tokenDigest } from "./bootstrap.js";

/** A new API token for a service account. The token is returned once; only its digest is kept. */
export async function createApiToken(
  store: Store,
  keys: Keys,
  name: string,
  permissions: readonly string[],
  now: number,
): Promise<{ tokenId: string; token: string }> {
  const token = generateToken();
  const tokenId = `token-${generateId()}`;
  await store.tokens.put({ tokenId, name, permissions: [...permissions] }, tokenDigest(keys, token), now);
  return { tokenId, token };
}
