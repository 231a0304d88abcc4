import { describe, expect, it } from "vitest";
import { progressOn } from "../../src/cli/progress.js";

/** A stream that keeps what is written to it, as a terminal or as a pipe. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

describe("progress of a long command", () => {
  it("draws a bar with count, rate and time left on a terminal, redrawn at most five times a second", () => {
    let now = 0;
    const { written, stream: tty } = stream(true);
    const progress = progressOn(tty, "import-users", "users", () => now);
    now = 10_000;
    progress.update(40_000, 0.25);
    now = 10_100;
    progress.update(41_000, 0.26); // too soon: not drawn
    expect(written).toEqual(["\r\x1b[Kimport-users [######------------------] 40,000 users, 4,000/s, 0:30 left"]);
    now = 40_000;
    progress.finish(160_000);
    expect(written.at(-1)).toBe("\r\x1b[Kimport-users: 160,000 users, 4,000/s in 0:40\n");
  });

  it("writes a plain line every five seconds elsewhere", () => {
    let now = 0;
    const { written, stream: pipe } = stream(false);
    const progress = progressOn(pipe, "migrate-store", "events", () => now);
    for (now = 1000; now <= 12_000; now += 1000) progress.update(now, null);
    expect(written).toEqual([
      "migrate-store: 1,000 events, 1,000/s\n",
      "migrate-store: 6,000 events, 1,000/s\n",
      "migrate-store: 11,000 events, 1,000/s\n",
    ]);
  });
});
