import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import {
  ImportedUserSchema,
  ImportRefusalSchema,
  ImportUserResultSchema,
  UserImportService,
  type ImportUserResult,
} from "../../gen/latchkey/user/v1/user_import_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import type { AppContext } from "../app/shared/context.js";
import type { AddHumanUserInput } from "../app/users/add-human-user.js";
import { importUsers, MAX_USERS_PER_IMPORT, type ImportOutcome } from "../app/users/import-users.js";
import { DomainError, invalidArgument } from "../domain/errors.js";
import { requirePermission } from "./auth.js";
import { toDetails } from "./details.js";
import { statusOf } from "./errors.js";
import { withProtoPaths } from "./field-paths.js";
import { addHumanUserInput } from "./user-mapping.js";

export function userImportService(app: AppContext): ServiceImpl<typeof UserImportService> {
  return {
    async importUsers(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      if (req.users.length > MAX_USERS_PER_IMPORT) {
        throw invalidArgument([{ field: "users", description: `must hold at most ${MAX_USERS_PER_IMPORT} users` }]);
      }
      const badLock = req.locked.find((index) => index >= req.users.length);
      if (badLock !== undefined) throw invalidArgument([{ field: "locked", description: `names position ${badLock} which has no user` }]);
      const locked = new Set(req.locked);
      // A user whose request cannot even be read is refused alone, as the rest go on.
      const inputs = req.users.map((user, i): AddHumanUserInput | DomainError => {
        try {
          return Object.assign(addHumanUserInput(user), { locked: locked.has(i) });
        } catch (error) {
          if (error instanceof DomainError) return error;
          throw error;
        }
      });
      const readable = inputs.filter((input): input is AddHumanUserInput => !(input instanceof DomainError));
      const outcomes = await importUsers(app, readable, actor, req.dryRun);
      let next = 0;
      return { results: inputs.map((input) => toResult(input instanceof DomainError ? { refused: input } : outcomes[next++]!)) };
    },
  };
}

function toResult(outcome: ImportOutcome): ImportUserResult {
  if ("added" in outcome) {
    const added = outcome.added;
    const imported = create(ImportedUserSchema, added === null ? {} : { userId: added.userId, details: toDetails(added) });
    return create(ImportUserResultSchema, { result: { case: "imported", value: imported } });
  }
  // Each field by its path in the user's AddHumanUserRequest, as AddHumanUser names it.
  const refused = withProtoPaths(outcome.refused, UserService.method.addHumanUser);
  const refusal = create(ImportRefusalSchema, {
    code: codeToString(statusOf(refused)),
    message: refused.message,
    reason: refused.reason,
    fieldViolations: [...refused.violations],
  });
  return create(ImportUserResultSchema, { result: { case: "refused", value: refusal } });
}
