import { describe, expect, it } from "vitest";
import { clientAddressBucket } from "../../src/api/client-address.js";

describe("the address a client is limited by", () => {
  it("buckets IPv6 by its /64, so one client cannot rotate through its own prefix", () => {
    const a = clientAddressBucket("2001:db8:1234:5678:aaaa:bbbb:cccc:dddd", 64);
    expect(a).toBe("2001:db8:1234:5678:0:0:0:0/64");
    expect(clientAddressBucket("2001:db8:1234:5678::1", 64)).toBe(a);
    expect(clientAddressBucket("2001:db8:1234:5679::1", 64)).not.toBe(a);
    expect(clientAddressBucket("2001:db8:1234:5678:ffff::1", 56)).toBe(clientAddressBucket("2001:db8:1234:56ff::9", 56));
    expect(clientAddressBucket("2001:db8::1", 128)).toBe("2001:db8:0:0:0:0:0:1/128");
  });

  it("treats every loopback address as one client", () => {
    for (const loopback of ["::1", "127.0.0.1", "127.9.9.9", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"]) {
      expect(clientAddressBucket(loopback, 64), loopback).toBe("loopback");
    }
  });

  it("keeps IPv4 addresses apart, also when mapped into IPv6", () => {
    expect(clientAddressBucket("192.0.2.1", 64)).toBe("192.0.2.1");
    expect(clientAddressBucket("::ffff:192.0.2.1", 64)).toBe("192.0.2.1");
    expect(clientAddressBucket("192.0.2.2", 64)).not.toBe("192.0.2.1");
  });
});
