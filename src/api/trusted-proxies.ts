import net from "node:net";

/** An address as Node reports a peer, without the IPv4-mapped IPv6 form. */
const plain = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/** The one header the operator's proxies write (LATCHKEY_PROXY_HEADER); the other is ignored. */
export type ProxyHeader = "x-forwarded-for" | "forwarded";

/** Told about a hop a trusted proxy wrote that is no address (never the request's other headers). */
type UnreadableHop = (hop: string) => void;

/**
 * The proxies whose word on the client's address is taken (LATCHKEY_TRUSTED_PROXIES). Only when
 * the TCP peer is one of them does the configured header count, and then only its right-most hop
 * that is not a trusted proxy: everything left of that came from the client. A client cannot pick
 * its bucket by sending the other header as well, since that one is never read.
 */
export class TrustedProxies {
  private readonly list = new net.BlockList();
  readonly empty: boolean;

  /** `cidrs`: addresses or networks, `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`. */
  constructor(
    cidrs: readonly string[],
    private readonly header: ProxyHeader = "x-forwarded-for",
    private readonly unreadable: UnreadableHop = () => undefined,
  ) {
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

  /**
   * The client's address for a request from `peer` with these headers. A hop that is no address
   * (`unknown`, an obfuscated name, garbage) is taken as the client itself, under its own text:
   * falling back to the proxy's address would put every such client into one bucket.
   */
  clientOf(peer: string, headers: Record<string, string | string[] | undefined>): string {
    if (this.empty || !this.isTrusted(peer)) return plain(peer);
    const hops =
      this.header === "forwarded" ? forwardedFor(joined(headers["forwarded"])) : xForwardedFor(joined(headers["x-forwarded-for"]));
    let client = plain(peer);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      const address = hopAddress(hop);
      if (address === null) {
        this.unreadable(hop.slice(0, 64));
        return `unreadable:${hop.slice(0, 64)}`;
      }
      client = address;
      if (!this.isTrusted(address)) break;
    }
    return client;
  }
}

const joined = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(",") : (value ?? ""));

/** X-Forwarded-For's hops, first to last. */
function xForwardedFor(value: string): string[] {
  return value.trim() === "" ? [] : value.split(",").map((hop) => hop.trim());
}

/** Forwarded's (RFC 7239) `for=` values, first to last, unquoted. */
function forwardedFor(value: string): string[] {
  return value
    .split(",")
    .map((element) =>
      element
        .split(";")
        .map((pair) => /^\s*for\s*=\s*(.*?)\s*$/i.exec(pair)?.[1])
        .find((v) => v !== undefined),
    )
    .filter((hop): hop is string => hop !== undefined)
    .map((hop) => (/^"(.*)"$/.exec(hop)?.[1] ?? hop).trim());
}

/**
 * The address in one hop as proxies write them: `203.0.113.5`, `203.0.113.5:1111`, `2001:db8::1`,
 * `[2001:db8::1]`, `[2001:db8::1]:443`, with the IPv4-mapped form read as IPv4. Null for anything else.
 */
export function hopAddress(hop: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed) return net.isIPv6(bracketed[1]!) ? plain(bracketed[1]!) : null;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  const candidate = v4WithPort ? v4WithPort[1]! : hop;
  return net.isIP(candidate) === 0 ? null : plain(candidate);
}
