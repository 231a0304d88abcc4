import type { JsonObject } from "@bufbuild/protobuf";
import type { Readable } from "node:stream";

/** One record of an export file, made into an AddHumanUserRequest (Connect JSON), or why it could not be. */
export interface SourceRecord {
  /** Where it is in the file, for the report: `line 12`, `users[3]`. */
  where: string;
  user?: JsonObject;
  /** The source system had the user deactivated: it is imported under an administrator's lock. */
  locked?: boolean;
  /** Why the record is not a user this format describes: the field at fault and the reason. */
  unreadable?: { field: string; reason: string };
}

/** Options of the formats that need more than the file (Firebase's project hash parameters). */
export interface FormatOptions {
  firebase?: { signerKey: string; saltSeparator: string; rounds: number; memCost: number };
}

/** A format: reads the file as a stream of records, never whole. */
export type SourceFormat = (input: Readable, options: FormatOptions) => AsyncIterable<SourceRecord>;

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/**
 * Given and family names, which AddHumanUser requires and many sources leave empty: what the
 * source has, else the display name split at its last space, else the e-mail's local part or the username.
 */
export function namesOf(source: { given?: unknown; family?: unknown; display?: unknown; fallback?: unknown }): {
  givenName: string;
  familyName: string;
} {
  const display = text(source.display);
  const space = display?.lastIndexOf(" ") ?? -1;
  const fromDisplay = display && space > 0 ? [display.slice(0, space), display.slice(space + 1)] : [display, display];
  const fallback = text(source.fallback)?.split("@")[0];
  return {
    givenName: text(source.given) ?? fromDisplay[0] ?? fallback ?? "",
    familyName: text(source.family) ?? fromDisplay[1] ?? fallback ?? "",
  };
}

/** The record for a user, with the password hash it brings (when it brings one). */
export function userRecord(
  where: string,
  fields: {
    userId?: unknown;
    username?: unknown;
    email?: unknown;
    emailVerified?: unknown;
    /** In E.164 as the sources write it; imported as AddHumanUser's phone. */
    phone?: unknown;
    phoneVerified?: unknown;
    names: ReturnType<typeof namesOf>;
    hash?: string;
  },
  locked = false,
): SourceRecord {
  const user: JsonObject = {
    ...(text(fields.userId) && { userId: text(fields.userId)! }),
    ...(text(fields.username) && { username: text(fields.username)! }),
    profile: fields.names,
    email: { email: text(fields.email) ?? "", ...(fields.emailVerified === true && { isVerified: true }) },
    ...(text(fields.phone) && { phone: { phone: text(fields.phone)!, ...(fields.phoneVerified === true && { isVerified: true }) } }),
    ...(fields.hash !== undefined && { hashedPassword: { hash: fields.hash } }),
  };
  return { where, user, ...(locked && { locked }) };
}

export function unreadable(where: string, field: string, reason: string): SourceRecord {
  return { where, unreadable: { field, reason } };
}
