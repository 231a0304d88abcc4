import { describe, expect, it } from "vitest";
import { TrustedProxies } from "../../src/api/trusted-proxies.js";

describe("the client's address behind proxies", () => {
  const proxies = new TrustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]);

  it("takes the right-most hop that is not a trusted proxy, only from a trusted peer", () => {
    const xff = (value: string) => ({ "x-forwarded-for": value });
    expect(proxies.clientOf("10.1.2.3", xff("203.0.113.5"))).toBe("203.0.113.5");
    expect(proxies.clientOf("::ffff:10.1.2.3", xff("198.51.100.1, 203.0.113.5, 10.9.9.9"))).toBe("203.0.113.5");
    expect(proxies.clientOf("192.0.2.7", xff("203.0.113.5,192.0.2.7"))).toBe("203.0.113.5");
    // A peer that is not trusted: its headers are the client's own words.
    expect(proxies.clientOf("198.51.100.9", xff("203.0.113.5"))).toBe("198.51.100.9");
    expect(proxies.clientOf("192.0.2.8", xff("203.0.113.5"))).toBe("192.0.2.8");
    // Every hop trusted: the left-most; garbage: the last good hop answers for it.
    expect(proxies.clientOf("10.1.2.3", xff("10.0.0.1, 10.0.0.2"))).toBe("10.0.0.1");
    expect(proxies.clientOf("10.1.2.3", xff("not-an-address"))).toBe("10.1.2.3");
    expect(proxies.clientOf("10.1.2.3", {})).toBe("10.1.2.3");
  });

  it("reads Forwarded's for= when there is no X-Forwarded-For", () => {
    const forwarded = (value: string) => ({ forwarded: value });
    // The IPv6 hop is a trusted proxy (2001:db8::/32): the client is the one before it.
    expect(proxies.clientOf("10.1.2.3", forwarded('for=198.51.100.1, for="[2001:db8:cafe::17]:4711";proto=https'))).toBe("198.51.100.1");
    expect(proxies.clientOf("10.1.2.3", forwarded("for=203.0.113.43;proto=http;by=10.1.2.3"))).toBe("203.0.113.43");
    expect(new TrustedProxies([]).clientOf("10.1.2.3", forwarded("for=203.0.113.43"))).toBe("10.1.2.3");
  });
});
