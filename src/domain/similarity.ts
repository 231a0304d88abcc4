/*
 * How similar a password is to a piece of the user's personal data, as Django's
 * UserAttributeSimilarityValidator measures it: difflib's SequenceMatcher.quick_ratio, that is
 * 2 × (characters the two share, counted with multiplicity) / (both lengths), compared with a
 * maximum of 0.7 after lower-casing; a value part much shorter than the password is skipped, as
 * Django skips it, because it cannot make the password similar.
 */

/** Django's default. */
const MAX_SIMILARITY = 0.7;

export function quickRatio(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  if (left.length + right.length === 0) return 1;
  const available = new Map<string, number>();
  for (const c of right) available.set(c, (available.get(c) ?? 0) + 1);
  let matches = 0;
  for (const c of left) {
    const n = available.get(c) ?? 0;
    if (n > 0) {
      available.set(c, n - 1);
      matches++;
    }
  }
  return (2 * matches) / (left.length + right.length);
}

/** Django's exceeds_maximum_length_ratio: a part this short is never similar to the password. */
function tooShortToCompare(password: string, part: string, maxSimilarity: number): boolean {
  const passwordLength = [...password].length;
  const partLength = [...part].length;
  return passwordLength >= 10 * partLength && partLength < (maxSimilarity / 2) * passwordLength;
}

/** Whether the password is too similar to the value or to any of its parts split at non-word characters. */
export function tooSimilar(password: string, value: string, maxSimilarity = MAX_SIMILARITY): boolean {
  const lowerPassword = password.toLowerCase();
  const lowerValue = value.normalize("NFKC").toLowerCase();
  const parts = [...lowerValue.split(/[^\p{L}\p{N}_]+/u), lowerValue].filter((p) => p !== "");
  return parts.some((part) => !tooShortToCompare(lowerPassword, part, maxSimilarity) && quickRatio(lowerPassword, part) >= maxSimilarity);
}
