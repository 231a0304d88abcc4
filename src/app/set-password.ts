import { normalizeCode } from "../crypto/codes.js";
import { digestsEqual, keyedDigest } from "../crypto/digest.js";
import { assertPasswordAllowed } from "../domain/password-policy.js";
import { checkVerification, decide, userNotFound, type UserState, type Verification } from "../domain/user.js";
import type { Actor, AppContext } from "./context.js";
import { writeUser } from "./write-user.js";

export type SetPasswordProof =
  { kind: "current_password"; password: string } | { kind: "verification_code"; code: string } | { kind: "privileged" };

export interface SetPasswordInput {
  userId: string;
  newPassword: string;
  changeRequired: boolean;
  proof: SetPasswordProof;
}

export async function setPassword(ctx: AppContext, input: SetPasswordInput, actor: Actor): Promise<UserState> {
  assertPasswordAllowed(input.newPassword, ctx.settings.passwordPolicy, "new_password.password");
  let newHash: string | undefined; // kept across retries: hashing is the expensive part

  return writeUser(ctx, input.userId, actor, async (state, now) => {
    if (state === null) return { events: [], error: userNotFound() };
    const { verification, currentHashOutdated } = await verify(ctx, state, input.proof);
    // Refuse before hashing: a wrong code must cost the attacker a round trip, not us a bcrypt.
    const precheck = checkVerification(state, verification, now);
    if (precheck.error) return precheck;

    newHash ??= await ctx.hasher.hash(input.newPassword);
    const sameAsCurrent = await isCurrentPassword(ctx, state, input);
    return decide(
      {
        type: "SetPassword",
        verification,
        newPasswordHash: newHash,
        changeRequired: input.changeRequired,
        sameAsCurrent,
        currentHashOutdated,
      },
      state,
      now,
    );
  });
}

async function verify(
  ctx: AppContext,
  state: UserState,
  proof: SetPasswordProof,
): Promise<{ verification: Verification; currentHashOutdated: boolean }> {
  switch (proof.kind) {
    case "privileged":
      return { verification: proof, currentHashOutdated: false };
    case "current_password": {
      if (state.passwordHash === null) return { verification: { kind: proof.kind, matches: false }, currentHashOutdated: false };
      const result = await ctx.hasher.verify(proof.password, state.passwordHash);
      return { verification: { kind: proof.kind, matches: result.matches }, currentHashOutdated: result.needsRehash };
    }
    case "verification_code": {
      const digest = codeDigest(ctx, state.userId, proof.code);
      const matches = state.passwordCode !== null && digestsEqual(digest, state.passwordCode.digest);
      return { verification: { kind: proof.kind, matches }, currentHashOutdated: false };
    }
  }
}

async function isCurrentPassword(ctx: AppContext, state: UserState, input: SetPasswordInput): Promise<boolean> {
  // The current password was just verified: comparing plaintexts spares a second bcrypt.
  if (input.proof.kind === "current_password") return input.proof.password === input.newPassword;
  if (state.passwordHash === null) return false;
  return (await ctx.hasher.verify(input.newPassword, state.passwordHash)).matches;
}

/** Codes are bound to their user: the same code for another user has another digest. */
export function codeDigest(ctx: AppContext, userId: string, code: string): string {
  return keyedDigest(ctx.keys.codes, "password-reset", userId, normalizeCode(code));
}
