/** RELIABILITY_MODE=short (CI) or full (the default for `npm run test:reliability`). */
export const SHORT = process.env.RELIABILITY_MODE === "short";

export const pick = <T>(short: T, full: T): T => (SHORT ? short : full);

/** The figures a suite reports, as its last lines. */
export function report(suite: string, figures: Record<string, number | string>): void {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  process.stdout.write(`\n[${suite}] ${line}\n`);
}
