import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

/** grpc.health.v1: the empty name is the whole server; a served service by its full name. */
export function healthService(isServing: () => Promise<boolean>, services: readonly string[]): ServiceImpl<typeof Health> {
  return {
    async check(req) {
      if (req.service !== "" && !services.includes(req.service)) {
        throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      }
      return {
        status: (await isServing()) ? HealthCheckResponse_ServingStatus.SERVING : HealthCheckResponse_ServingStatus.NOT_SERVING,
      };
    },
  };
}
