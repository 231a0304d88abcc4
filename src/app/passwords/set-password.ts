import { digestsEqual } from "../../crypto/digest.js";
import { codeDigest } from "../shared/digests.js";
import {
  assertPasswordAllowed,
  normalizePassword,
  passwordHistoryKept,
  passwordPolicyViolated,
  passwordViolations,
} from "../../domain/password-policy.js";
import { type UserState } from "../../domain/user.js";
import { checkVerification, codeRefused, decide, userNotFound, type Verification } from "../../domain/user-commands.js";
import type { Actor, AppContext } from "../shared/context.js";
import { queuePasswordChangedNotice } from "./password-changed-notice.js";
import { passwordContext } from "./password-context.js";
import { verifyPassword } from "./verify-password.js";
import { writeUser } from "../shared/write-user.js";

export type SetPasswordProof =
  | { kind: "current_password"; password: string; /** the session the user changes it in, which survives */ sessionId?: string }
  | { kind: "verification_code"; code: string }
  | { kind: "privileged" };

interface SetPasswordInput {
  userId: string;
  newPassword: string;
  changeRequired: boolean;
  proof: SetPasswordProof;
}

/**
 * With a verification code, nothing about the user (whether it exists, its personal data, its
 * passwords) is looked at or answered before the code is verified: an unknown user, no open code
 * and a wrong code give one answer. Other proofs come from callers allowed to know the user.
 */
export async function setPassword(
  app: Pick<AppContext, "clock" | "hasher" | "keys" | "metrics" | "outboxQueued" | "settings" | "store" | "userLocks">,
  input: SetPasswordInput,
  actor: Actor,
): Promise<UserState> {
  const newPassword = normalizePassword(input.newPassword);
  const byCode = input.proof.kind === "verification_code";
  if (!byCode) {
    const user = await app.store.users.get(input.userId);
    if (user === null) throw userNotFound();
    assertPasswordAllowed(newPassword, app.settings.passwordPolicy, "password", passwordContext(app, user));
  }
  let newHash: string | undefined; // kept across retries: hashing is the expensive part

  const changed = await writeUser(app, input.userId, actor, async (state, now) => {
    if (state === null) return { events: [], error: byCode ? codeRefused() : userNotFound() };
    const { verification, currentHashOutdated } = await verify(app, state, input.proof);
    // Refuse before hashing: a wrong code must cost the attacker a round trip, not us a bcrypt.
    const precheck = checkVerification(state, verification, now, app.settings.lockout);
    if (precheck.error) return precheck;
    if (byCode) {
      const violations = passwordViolations(newPassword, app.settings.passwordPolicy, "password", passwordContext(app, state));
      if (violations.length > 0) return { events: [], error: passwordPolicyViolated(violations) };
    }

    newHash ??= await app.hasher.hash(newPassword);
    const decision = decide(
      {
        type: "SetPassword",
        verification,
        newPasswordHash: newHash,
        changeRequired: input.changeRequired,
        // Not compared for a code: its holder may not learn what the passwords were (see decide).
        sameAsCurrent: !byCode && (await isCurrentPassword(app, state, newPassword, input.proof)),
        recentlyUsed: !byCode && (await isRecentlyUsed(app, state, newPassword)),
        currentHashOutdated,
        lockout: app.settings.lockout,
      },
      state,
      now,
    );
    if (decision.error) return decision;
    return { ...decision, inTransaction: (tx, next) => queuePasswordChangedNotice(app, tx, next, verification.kind) };
  });
  app.outboxQueued();
  return changed;
}

async function verify(
  app: Pick<AppContext, "hasher" | "keys">,
  state: UserState,
  proof: SetPasswordProof,
): Promise<{ verification: Verification; currentHashOutdated: boolean }> {
  switch (proof.kind) {
    case "privileged":
      return { verification: proof, currentHashOutdated: false };
    case "current_password": {
      const result =
        state.passwordHash === null
          ? { matches: false, needsRehash: false }
          : await verifyPassword(app, proof.password, state.passwordHash);
      return {
        verification: { kind: proof.kind, matches: result.matches, sessionId: proof.sessionId },
        currentHashOutdated: result.needsRehash,
      };
    }
    case "verification_code": {
      const digest = codeDigest(app.keys, state.userId, proof.code);
      const matches = state.passwordCode !== null && digestsEqual(digest, state.passwordCode.digest);
      return { verification: { kind: proof.kind, matches }, currentHashOutdated: false };
    }
  }
}

async function isCurrentPassword(
  app: Pick<AppContext, "hasher">,
  state: UserState,
  newPassword: string,
  proof: SetPasswordProof,
): Promise<boolean> {
  // The current password was just verified: comparing plaintexts spares a second bcrypt.
  if (proof.kind === "current_password") return normalizePassword(proof.password) === newPassword;
  if (state.passwordHash === null) return false;
  return (await verifyPassword(app, newPassword, state.passwordHash)).matches;
}

/** The reuse rule covers the last N passwords; the current one is refused anyway, so N - 1 earlier ones. */
async function isRecentlyUsed(app: Pick<AppContext, "hasher" | "settings">, state: UserState, newPassword: string): Promise<boolean> {
  for (const hash of state.passwordHistory.slice(0, passwordHistoryKept(app.settings.passwordPolicy))) {
    if ((await verifyPassword(app, newPassword, hash)).matches) return true;
  }
  return false;
}
