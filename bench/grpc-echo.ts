// The peer for non-hash calls: a bare @grpc/grpc-js server answering grpc.health.v1.Health/Check.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";

const definition = protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [join(import.meta.dirname, "..", "proto")] });
const pkg = grpc.loadPackageDefinition(definition) as any;
const server = new grpc.Server();
server.addService(pkg.grpc.health.v1.Health.service, {
  Check: (_call: unknown, callback: grpc.sendUnaryData<{ status: number }>) => callback(null, { status: 1 }),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(JSON.stringify({ port }) + "\n");
});
