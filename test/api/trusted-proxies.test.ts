import { describe, expect, it } from "vitest";
import { hopAddress, TrustedProxies } from "../../src/api/trusted-proxies.js";

describe("the client address behind trusted proxies", () => {
  const proxies = new TrustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]);
  const xff = (value: string) => ({ "x-forwarded-for": value });

  it("is the right-most X-Forwarded-For hop that is not a trusted proxy, and only from a trusted peer", () => {
    expect(proxies.clientOf("10.1.2.3", xff("203.0.113.5"))).toBe("203.0.113.5");
    expect(proxies.clientOf("::ffff:10.1.2.3", xff("198.51.100.1, 203.0.113.5, 10.9.9.9"))).toBe("203.0.113.5");
    expect(proxies.clientOf("192.0.2.7", xff("203.0.113.5,192.0.2.7"))).toBe("203.0.113.5");
    // An untrusted peer's header counts for nothing.
    expect(proxies.clientOf("198.51.100.9", xff("203.0.113.5"))).toBe("198.51.100.9");
    expect(proxies.clientOf("192.0.2.8", xff("203.0.113.5"))).toBe("192.0.2.8");
    // Only proxies all the way: the left-most one is the client.
    expect(proxies.clientOf("10.1.2.3", xff("10.0.0.1, 10.0.0.2"))).toBe("10.0.0.1");
    expect(proxies.clientOf("10.1.2.3", {})).toBe("10.1.2.3");
  });

  it("reads hops with ports and brackets, as some proxies write them", () => {
    expect(proxies.clientOf("10.1.2.3", xff("203.0.113.5:1111"))).toBe("203.0.113.5");
    expect(proxies.clientOf("10.1.2.3", xff("198.51.100.9:2222, 10.0.0.1:80"))).toBe("198.51.100.9");
    expect(proxies.clientOf("10.1.2.3", xff("[2001:db9::5]:443"))).toBe("2001:db9::5");
    expect(proxies.clientOf("10.1.2.3", xff("[2001:db9::5]"))).toBe("2001:db9::5");
    expect(proxies.clientOf("10.1.2.3", xff("::ffff:203.0.113.5"))).toBe("203.0.113.5");
    expect(hopAddress("2001:db9::5")).toBe("2001:db9::5");
    expect(hopAddress("203.0.113.5:99999999")).toBeNull();
    expect(hopAddress("[203.0.113.5]")).toBeNull();
  });

  it("never falls back to the proxy's own address for a hop it cannot read: that hop is a client of its own, and is reported", () => {
    const heard: string[] = [];
    const reporting = new TrustedProxies(["10.0.0.0/8"], "x-forwarded-for", (hop) => heard.push(hop));
    const first = reporting.clientOf("10.1.2.3", xff("not-an-address"));
    expect(first).not.toBe("10.1.2.3");
    expect(reporting.clientOf("10.1.2.3", xff("unknown, 10.0.0.9"))).not.toBe("10.1.2.3");
    expect(reporting.clientOf("10.1.2.3", xff("203.0.113.5:1, other"))).not.toBe(first);
    expect(heard).toEqual(["not-an-address", "unknown", "other"]);
    // Garbage left of the client's hop is never read.
    expect(reporting.clientOf("10.1.2.3", xff("garbage, 203.0.113.5"))).toBe("203.0.113.5");
    expect(heard).toHaveLength(3);
  });

  it("reads only the header the operator named: the other one, sent by a client, counts for nothing", () => {
    const both = { "x-forwarded-for": "198.51.100.77", forwarded: "for=203.0.113.43" };
    const viaForwarded = new TrustedProxies(["10.0.0.0/8", "2001:db8::/32"], "forwarded");
    expect(viaForwarded.clientOf("10.1.2.3", both)).toBe("203.0.113.43");
    expect(viaForwarded.clientOf("10.1.2.3", { "x-forwarded-for": "198.51.100.77" })).toBe("10.1.2.3");
    expect(proxies.clientOf("10.1.2.3", both)).toBe("198.51.100.77");
    expect(proxies.clientOf("10.1.2.3", { forwarded: "for=203.0.113.43" })).toBe("10.1.2.3");
  });

  it("reads Forwarded's for= values (RFC 7239): quoted, bracketed, with ports and other parameters", () => {
    const proxiesF = new TrustedProxies(["10.0.0.0/8", "2001:db8::/32"], "forwarded");
    const forwarded = (value: string) => ({ forwarded: value });
    // The IPv6 hop is a trusted proxy (2001:db8::/32): the client is the one before it.
    expect(proxiesF.clientOf("10.1.2.3", forwarded('for=198.51.100.1, for="[2001:db8:cafe::17]:4711";proto=https'))).toBe("198.51.100.1");
    expect(proxiesF.clientOf("10.1.2.3", forwarded("for=203.0.113.43;proto=http;by=10.1.2.3"))).toBe("203.0.113.43");
    expect(proxiesF.clientOf("10.1.2.3", forwarded('proto=https;for="203.0.113.43:8080"'))).toBe("203.0.113.43");
    expect(proxiesF.clientOf("10.1.2.3", forwarded("for=unknown"))).not.toBe("10.1.2.3");
    expect(new TrustedProxies([], "forwarded").clientOf("10.1.2.3", forwarded("for=203.0.113.43"))).toBe("10.1.2.3");
  });
});
