import net from "node:net";

/**
 * The key a client's address is limited by. One client commonly holds a whole IPv6 /64 (or more),
 * so IPv6 addresses are bucketed by their first `ipv6PrefixBits`; IPv4-mapped IPv6 addresses
 * count as the IPv4 address; every loopback address (127.0.0.0/8, ::1) is one client.
 */
export function clientAddressBucket(address: string, ipv6PrefixBits: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  if (net.isIPv4(ip)) return ip.startsWith("127.") ? "loopback" : ip;
  if (!net.isIPv6(ip)) return ip;
  const groups = expandIpv6(ip);
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return "loopback";
  let bits = ipv6PrefixBits;
  const kept = groups.map((g) => {
    const take = Math.max(0, Math.min(16, bits));
    bits -= take;
    return take === 0 ? 0 : g & (0xffff << (16 - take)) & 0xffff;
  });
  return `${kept.map((g) => g.toString(16)).join(":")}/${ipv6PrefixBits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (with :: and, at its end, a dotted IPv4 part). */
function expandIpv6(ip: string): number[] {
  const text = ip.split("%", 1)[0]!; // without a zone
  const groups = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((g) => {
          if (!g.includes(".")) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split(".").map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = text.split("::") as [string, string | undefined];
  if (tail === undefined) return groups(head);
  const left = groups(head);
  const right = groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
