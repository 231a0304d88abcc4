import { expect } from "vitest";
import type { CallError } from "./errors.js";
import type { CallResult, JsonObject } from "./clients.js";

let counter = 0;

/** A name no other test uses, even across parallel test files. */
export function unique(prefix = "user"): string {
  return `${prefix}${process.pid}x${Date.now().toString(36)}x${counter++}`;
}

export const STRONG_PASSWORD = "Corr3ct-Horse!";
export const OTHER_PASSWORD = "Batt3ry-Staple?";

/** An AddHumanUser request; an override set to undefined removes that field. */
export function humanUser(overrides: Record<string, unknown> = {}): JsonObject {
  const name = unique();
  const request: Record<string, unknown> = {
    username: name,
    profile: { givenName: "Ada", familyName: "Lovelace" },
    email: { email: `${name}@example.com` },
    password: { password: STRONG_PASSWORD },
    ...overrides,
  };
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  return request as JsonObject;
}

export function ok(result: CallResult): any {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.body;
}

export function failure(result: CallResult, code: string, reason?: string): CallError {
  if (result.ok) throw new Error(`expected ${code}, got success: ${JSON.stringify(result.body)}`);
  expect(result.error.code).toBe(code);
  expect(result.error.message.length).toBeGreaterThan(0);
  // gRPC clients decode grpc-message with decodeURI: a message must not arrive still escaped.
  expect(result.error.message).not.toMatch(/%[0-9A-Fa-f]{2}/);
  if (reason !== undefined) expect(result.error.reason).toBe(reason);
  return result.error;
}
