import { randomUUID } from "node:crypto";
import type { PasswordChangeMethod, UserState } from "../../domain/user.js";
import type { Tables } from "../../store/store.js";
import type { AppContext } from "../shared/context.js";
import { personalFields } from "../shared/personal-fields.js";

/** "Your password was changed": when and how, and no secret. Queued in the change's transaction. */
export async function queuePasswordChangedNotice(
  app: Pick<AppContext, "settings">,
  tx: Tables,
  user: UserState,
  method: PasswordChangeMethod,
): Promise<void> {
  if (!app.settings.notifyPasswordChanged) return;
  await tx.outbox.enqueue({
    messageId: randomUUID(),
    kind: "password_changed",
    channel: "email",
    userId: user.userId,
    recipient: user.email,
    payload: { ...personalFields(user), method, changedAt: String(user.passwordChangedAt ?? user.changedAt) },
    sealedSecret: null,
    createdAt: user.changedAt,
  });
}
