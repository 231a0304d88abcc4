/** ZITADEL's paging: a limit of 0 asks for the default page; larger limits are capped, not refused. */
const DEFAULT_PAGE = 100;
const LARGEST_PAGE = 1_000;

export function pageSize(limit: number): number {
  return limit === 0 ? DEFAULT_PAGE : Math.min(limit, LARGEST_PAGE);
}

/** A uint64 from the wire as a number, capped where numbers stop being exact. */
export function cappedNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
