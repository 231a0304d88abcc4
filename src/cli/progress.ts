/** How far a long command has come: a bar on a terminal, a plain line every few seconds otherwise. */
export interface Progress {
  /** `done` items so far, and the share of the whole work done (0..1) when it is known. */
  update(done: number, fraction: number | null): void;
  finish(done: number): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 200;
const LINE_EVERY_MS = 5000;

export function progressOn(stream: NodeJS.WriteStream, label: string, unit: string, now: () => number = () => performance.now()): Progress {
  const started = now();
  let shownAt = -Infinity;
  const describe = (done: number, fraction: number | null) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = fraction !== null && fraction > 0 && fraction < 1 ? (seconds * (1 - fraction)) / fraction : null;
    return `${done.toLocaleString("en")} ${unit}, ${Math.round(rate).toLocaleString("en")}/s${left === null ? "" : `, ${clock(left)} left`}`;
  };
  const tty = stream.isTTY === true;
  return {
    update(done, fraction) {
      const at = now();
      if (at - shownAt < (tty ? REDRAW_MS : LINE_EVERY_MS)) return;
      shownAt = at;
      if (!tty) stream.write(`${label}: ${describe(done, fraction)}\n`);
      else {
        const filled = Math.round(BAR_WIDTH * Math.min(1, fraction ?? 0));
        stream.write(`\r\x1b[K${label} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${describe(done, fraction)}`);
      }
    },
    finish(done) {
      const line = `${label}: ${describe(done, 1)} in ${clock((now() - started) / 1000)}`;
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
