import { expect } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type CallResult } from "./clients.js";
import { storeRows } from "./database.js";
import { failure, humanUser, ok } from "./fixtures.js";
import type { TestServer } from "./server.js";

/** AddHumanUser over gRPC with these overrides: the new user's id. */
export async function addUser(server: TestServer, overrides: Record<string, unknown>): Promise<string> {
  const users = createUserClient("grpc", server.baseUrl);
  try {
    return ok(await users.call("AddHumanUser", humanUser(overrides), server.adminToken)).userId as string;
  } finally {
    users.close();
  }
}

/** CreateSession with a password check, over gRPC. */
export async function createSession(server: TestServer, userId: string, password: string): Promise<CallResult> {
  const sessions = createRpcClient<"CreateSession">("grpc", server.baseUrl, SessionService);
  try {
    return await sessions.call("CreateSession", { checks: { user: { userId }, password: { password } } } as never);
  } finally {
    sessions.close();
  }
}

export async function login(server: TestServer, userId: string, password: string): Promise<void> {
  expect(ok(await createSession(server, userId, password)).sessionId).toBeTruthy();
}

export async function loginFails(server: TestServer, userId: string, password: string): Promise<void> {
  failure(await createSession(server, userId, password), "invalid_argument", "LOGIN_FAILED");
}

/** The password hash stored for a user, as an operator would read it. */
export async function storedHashOf(dataDir: string, userId: string): Promise<string> {
  const rows = await storeRows<{ password_hash: string }>(dataDir, `SELECT password_hash FROM users WHERE user_id = ?`, [userId]);
  return rows[0]!.password_hash;
}
