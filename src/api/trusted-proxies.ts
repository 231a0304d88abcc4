import net from "node:net";

/** An address as Node reports a peer, without the IPv4-mapped IPv6 form. */
const plain = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/**
 * The proxies whose word on the client's address is taken (LATCHKEY_TRUSTED_PROXIES). Only when
 * the TCP peer is one of them does X-Forwarded-For (or Forwarded) count, and then only its
 * right-most hop that is not a trusted proxy: everything left of that came from the client.
 */
export class TrustedProxies {
  private readonly list = new net.BlockList();
  readonly empty: boolean;

  /** `cidrs`: addresses or networks, `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`. */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split("/") as [string, string | undefined];
      const family = net.isIPv4(address) ? "ipv4" : "ipv6";
      this.list.addSubnet(address, bits === undefined ? (family === "ipv4" ? 32 : 128) : Number(bits), family);
    }
    this.empty = cidrs.length === 0;
  }

  isTrusted(address: string): boolean {
    const ip = plain(address);
    const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
    return family !== null && this.list.check(ip, family);
  }

  /** The client's address for a request from `peer` with these headers. */
  clientOf(peer: string, headers: Record<string, string | string[] | undefined>): string {
    if (this.empty || !this.isTrusted(peer)) return plain(peer);
    const hops = forwardedHops(headers);
    let client = plain(peer);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (net.isIP(hop) === 0) break; // garbage from the client side: the last good hop answers for it
      client = hop;
      if (!this.isTrusted(hop)) break;
    }
    return client;
  }
}

/** The addresses a request passed through, first to last: X-Forwarded-For, else Forwarded's for=. */
function forwardedHops(headers: Record<string, string | string[] | undefined>): string[] {
  const join = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(",") : (value ?? ""));
  const xff = join(headers["x-forwarded-for"]);
  if (xff.trim() !== "") return xff.split(",").map((hop) => plain(hop.trim()));
  return join(headers["forwarded"])
    .split(",")
    .flatMap((element) => element.split(";"))
    .map((pair) => /^\s*for\s*=\s*"?\[?([^\]";]+?)\]?(?::\d+)?"?\s*$/i.exec(pair)?.[1])
    .filter((hop): hop is string => hop !== undefined)
    .map(plain);
}
