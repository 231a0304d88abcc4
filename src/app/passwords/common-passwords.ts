import { dictionary } from "@zxcvbn-ts/language-common";

let cached: ReadonlySet<string> | undefined;

/** zxcvbn-ts's list of about 49,000 common passwords, lower case. */
export function commonPasswords(): ReadonlySet<string> {
  cached ??= new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return cached;
}
