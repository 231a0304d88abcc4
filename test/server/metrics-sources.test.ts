import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/metrics.js";

describe("metrics read at scrape time", () => {
  it("still answer when the database does not: the pending-outbox gauge then has no series", async () => {
    const metrics = new Metrics();
    let databaseUp = true;
    metrics.observe({
      hashJobs: () => ({ queued: 3, running: 2 }),
      outboxPending: async () => {
        if (!databaseUp) throw new Error("connection refused");
        return [{ channel: "email", count: 4 }];
      },
      pool: () => null,
      usersByScheme: async () => {
        if (!databaseUp) throw new Error("connection refused");
        return [{ scheme: "md5-crypt", users: 5, weakness: "fast" }];
      },
    });
    const up = await metrics.registry.metrics();
    expect(up).toContain('latchkey_outbox_pending{channel="email"} 4');
    expect(up).toContain("latchkey_hash_jobs_queued 3");
    expect(up).toContain('latchkey_users_by_password_scheme{scheme="md5-crypt",weak="true"} 5');
    databaseUp = false;
    const down = await metrics.registry.metrics();
    expect(down).not.toContain("latchkey_outbox_pending{");
    expect(down).not.toContain("latchkey_users_by_password_scheme{");
    expect(down).toContain("latchkey_hash_jobs_running 2");
    expect(down).not.toContain("latchkey_store_pool_connections{");
  });
});
