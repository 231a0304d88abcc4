import type { ServiceImpl } from "@connectrpc/connect";
import { listEvents } from "../app/audit/list-events.js";
import type { AppContext } from "../app/shared/context.js";
import { checkId, Violations } from "../domain/user-input.js";
import { AuditService } from "../../gen/latchkey/audit/v1/audit_service_pb.js";
import { requirePermission } from "./auth.js";
import { timestamp } from "./details.js";
import { cappedNumber, pageSize } from "./paging.js";

export function auditService(app: AppContext): ServiceImpl<typeof AuditService> {
  return {
    async listEvents(req, ctx) {
      requirePermission(ctx, "events.read");
      if (req.aggregateId !== "") new Violations().tap((v) => checkId(v, "aggregate_id", req.aggregateId)).throwIfAny();
      const events = await listEvents(app, {
        ...(req.aggregateId !== "" && { aggregateId: req.aggregateId }),
        afterPosition: cappedNumber(req.afterPosition),
        limit: pageSize(req.limit),
      });
      return {
        events: events.map((e) => ({
          position: BigInt(e.cursor.position),
          aggregateType: e.aggregateType,
          aggregateId: e.aggregateId,
          sequence: BigInt(e.sequence),
          type: e.type,
          creator: e.creator,
          resourceOwner: e.owner,
          creationDate: timestamp(e.createdAt),
          payload: e.payload as never,
        })),
      };
    },
  };
}
