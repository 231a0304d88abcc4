import { createContextKey, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { bookkeepingKey } from "../crypto/digest.js";
import { DomainError } from "../domain/errors.js";
import type { Throttles } from "../store/throttles.js";
import { callerOf } from "./auth.js";
import { clientAddressBucket } from "./client-address.js";
import type { TrustedProxies } from "./trusted-proxies.js";

/**
 * `perMinute` calls per key, refilled evenly, counted in the database (store/throttles.ts): the
 * limit holds across replicas and restarts. Keys are stored as digests.
 */
export class RateLimiter {
  constructor(
    /** Keeps this limiter's keys apart from another's. */
    private readonly name: string,
    private readonly perMinute: number,
    private readonly throttles: Throttles,
    private readonly clock: () => number = Date.now,
    /** Hears of each call refused (for the metrics). */
    private readonly onLimited: (name: string) => void = () => undefined,
  ) {}

  /** Takes one call; false when the key has none left. A limit of 0 never limits. */
  async take(key: string): Promise<boolean> {
    if (this.perMinute === 0) return true;
    const taken = await this.throttles.take(bookkeepingKey(`${this.name}\n${key}`), this.perMinute, this.clock());
    if (!taken) this.onLimited(this.name);
    return taken;
  }
}

export interface AnonymousLimits {
  perAddress: RateLimiter;
  perUser: RateLimiter;
}

/** What rate limits count a client by: its address, bucketed as clientAddressBucket says. */
const clientAddressKey = createContextKey<string>("unknown", { description: "the client's address bucket" });
/** The client's own address, for logs. */
export const clientIpKey = createContextKey<string>("unknown", { description: "the client's network address" });

/**
 * For the Connect adapter: the client's address, the socket's peer unless that is a trusted
 * proxy (trusted-proxies.ts).
 */
export function clientContextValues(
  req: { socket?: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> },
  ipv6PrefixBits: number,
  proxies: TrustedProxies,
) {
  const values = createContextValues();
  const client = proxies.clientOf(req.socket?.remoteAddress ?? "unknown", req.headers);
  values.set(clientIpKey, client);
  values.set(clientAddressKey, clientAddressBucket(client, ipv6PrefixBits));
  return values;
}

/**
 * Public endpoints answer anyone, so anyone but a service account is limited per client address,
 * and per target (a user or login name) from that address: ResourceExhausted beyond. The target's
 * limit is kept per address so that a stranger's calls never use up the owner's own calls from
 * elsewhere; guessing spread over many addresses is bounded by the lockout, which is per account.
 */
export async function limitPublicCall(ctx: HandlerContext, limits: AnonymousLimits, target: string): Promise<void> {
  if (callerOf(ctx).kind === "service") return;
  const address = ctx.values.get(clientAddressKey);
  if (!(await limits.perAddress.take(address)) || !(await limits.perUser.take(targetFromAddress(target, address)))) {
    throw new DomainError("RATE_LIMITED", "too many requests. Try again later");
  }
}

/** The key of a target's limit for calls from one address. */
export function targetFromAddress(target: string, address: string): string {
  return `${target}\n${address}`;
}
