import { createContextKey, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { BookkeepingMap } from "../app/bookkeeping-map.js";
import { DomainError } from "../domain/errors.js";
import { callerOf } from "./auth.js";
import { clientAddressBucket } from "./client-address.js";

/** Token buckets per key, in memory and bounded in bytes: `perMinute` calls, refilled evenly. */
export class RateLimiter {
  private readonly buckets: BookkeepingMap<{ tokens: number; at: number }>;

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
    maxKeys = 100_000,
  ) {
    this.buckets = new BookkeepingMap(maxKeys);
  }

  /** Takes one call's token; false when the key has none left. A limit of 0 never limits. */
  take(key: string): boolean {
    if (this.perMinute === 0) return true;
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export interface AnonymousLimits {
  perAddress: RateLimiter;
  perUser: RateLimiter;
}

export const clientAddressKey = createContextKey<string>("unknown", { description: "the client's network address" });

/**
 * For the Connect adapter: the socket's peer address, bucketed as clientAddressBucket says.
 * Proxies are not trusted for it.
 */
export function clientContextValues(req: { socket?: { remoteAddress?: string } }, ipv6PrefixBits: number) {
  const values = createContextValues();
  values.set(clientAddressKey, clientAddressBucket(req.socket?.remoteAddress ?? "unknown", ipv6PrefixBits));
  return values;
}

/**
 * Public endpoints answer anyone, so anyone but a service account is limited per client address,
 * and per target (a user or login name) from that address: ResourceExhausted beyond. The target's
 * limit is kept per address so that a stranger's calls never use up the owner's own calls from
 * elsewhere; guessing spread over many addresses is bounded by the lockout, which is per account.
 */
export function limitPublicCall(ctx: HandlerContext, limits: AnonymousLimits, target: string): void {
  if (callerOf(ctx).kind === "service") return;
  const address = ctx.values.get(clientAddressKey);
  if (!limits.perAddress.take(address) || !limits.perUser.take(targetFromAddress(target, address))) {
    throw new DomainError("RATE_LIMITED", "too many requests. Try again later");
  }
}

/** The key of a target's limit for calls from one address. */
export function targetFromAddress(target: string, address: string): string {
  return `${target}\n${address}`;
}
