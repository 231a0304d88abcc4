import { create } from "@bufbuild/protobuf";
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { DetailsSchema, type Details } from "../../gen/zitadel/object/v2/object_pb.js";

/** ZITADEL-style details: the aggregate's sequence and last change, and who owns it. */
export function toDetails(aggregate: { sequence: number; changedAt: number; createdAt: number; orgId: string }): Details {
  return create(DetailsSchema, {
    sequence: BigInt(aggregate.sequence),
    changeDate: timestamp(aggregate.changedAt),
    resourceOwner: aggregate.orgId,
    creationDate: timestamp(aggregate.createdAt),
  });
}

export function timestamp(ms: number): Timestamp {
  return timestampFromMs(ms);
}
