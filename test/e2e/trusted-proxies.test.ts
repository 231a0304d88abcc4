import { describe, expect, it } from "vitest";
import { startServer, untilOutput, type TestServer } from "../helpers/server.js";

/** Public reset requests (limited per client address) as they arrive with these headers. */
async function statuses(server: TestServer, forwardedFor: (string | Record<string, string>)[]): Promise<number[]> {
  const answers: number[] = [];
  for (const [i, xff] of forwardedFor.entries()) {
    const answer = await fetch(`${server.baseUrl}/latchkey.password.v1.PasswordService/RequestPasswordReset`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(typeof xff === "string" ? { "x-forwarded-for": xff } : xff) },
      body: JSON.stringify({ loginName: `someone-${i}@example.com` }),
    });
    answers.push(answer.status);
  }
  return answers;
}

describe("behind a proxy", () => {
  it("limits and logs by the forwarded address only when the peer is a trusted proxy", async () => {
    const env = { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "2" };
    const [trusting, distrusting] = await Promise.all([
      startServer({ env: { ...env, LATCHKEY_TRUSTED_PROXIES: "127.0.0.0/8, ::1" } }),
      startServer({ env }),
    ]);
    try {
      // Through the trusted proxy (the tests' loopback peer): each client has its own limit,
      // whatever it put left of the right-most untrusted hop.
      expect(await statuses(trusting, ["203.0.113.5", "198.51.100.1, 203.0.113.5", "203.0.113.5", "203.0.113.6", "203.0.113.6"])).toEqual([
        200, 200, 429, 200, 200,
      ]);
      await untilOutput(trusting, '"client":"203.0.113.6"');
      // Not trusted: the header is the caller's own word and counts for nothing.
      expect(await statuses(distrusting, ["203.0.113.5", "203.0.113.6", "203.0.113.7"])).toEqual([200, 200, 429]);
      expect(distrusting.output()).not.toContain("203.0.113.");
    } finally {
      await Promise.all([trusting.stop(), distrusting.stop()]);
    }
  });

  it("reads hops with ports, and never puts clients it cannot tell apart into the proxy's bucket", async () => {
    const server = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "2", LATCHKEY_TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const first = Array<string>(3).fill("203.0.113.5:1111");
      expect(await statuses(server, [...first, "198.51.100.9:2222", "[2001:db8::9]:443", "[2001:db8::9]:444"])).toEqual([
        200, 200, 429, 200, 200, 200,
      ]);
      // Unreadable hops are clients of their own, never the proxy's address.
      expect(await statuses(server, ["unknown", "unknown", "203.0.113.77"])).toEqual([200, 200, 200]);
      await untilOutput(server, "a trusted proxy sent a hop that is no address");
    } finally {
      await server.stop();
    }
  });

  it("reads only the header LATCHKEY_PROXY_HEADER names: a client's own X-Forwarded-For is ignored behind a Forwarded proxy", async () => {
    const server = await startServer({
      env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "2", LATCHKEY_TRUSTED_PROXIES: "127.0.0.1", LATCHKEY_PROXY_HEADER: "forwarded" },
    });
    try {
      const spoofed = Array.from({ length: 4 }, (_, i) => ({ forwarded: "for=203.0.113.5", "x-forwarded-for": `198.51.100.${i}` }));
      expect(await statuses(server, spoofed)).toEqual([200, 200, 429, 429]);
      expect(await statuses(server, [{ forwarded: 'for="[2001:db8::7]:80"' }])).toEqual([200]);
    } finally {
      await server.stop();
    }
  });

  it("refuses a proxy list it cannot read, naming the setting", async () => {
    await expect(startServer({ env: { LATCHKEY_TRUSTED_PROXIES: "10.0.0.0/33" } })).rejects.toThrow(
      /LATCHKEY_TRUSTED_PROXIES has "10.0.0.0\/33"/,
    );
  });
});
