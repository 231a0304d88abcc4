// A load generator in its own process: runs one call shape at a fixed concurrency for a while
// and prints {count, errors, perSecond, p50, p99} as JSON. Callers pass the spec as JSON argv.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";

export interface LoadSpec {
  protocol: "grpc" | "connect-json";
  address: string; // host:port
  service: string; // e.g. zitadel.user.v2.UserService
  protoFile: string;
  method: string;
  token?: string;
  /** Requests to cycle through; `{{i}}` in a string value becomes the call's index. */
  requests: unknown[];
  concurrency: number;
  durationMs: number;
  /** Paced calls per second instead of a closed loop (for probes). */
  rate?: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;

function grpcCaller(): (request: unknown) => Promise<void> {
  const definition = protoLoader.loadSync(spec.protoFile, {
    includeDirs: [join(import.meta.dirname, "..", "proto")],
    longs: String,
    enums: String,
  });
  const packages = grpc.loadPackageDefinition(definition) as any;
  const Client = spec.service.split(".").reduce((scope, name) => scope[name], packages) as grpc.ServiceClientConstructor;
  const client = new Client(spec.address, grpc.credentials.createInsecure()) as any;
  const metadata = new grpc.Metadata();
  if (spec.token) metadata.set("authorization", `Bearer ${spec.token}`);
  return (request) =>
    new Promise((resolve, reject) => client[spec.method](request, metadata, (e: Error | null) => (e ? reject(e) : resolve())));
}

function connectCaller(): (request: unknown) => Promise<void> {
  const url = `http://${spec.address}/${spec.service}/${spec.method}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(spec.token && { authorization: `Bearer ${spec.token}` }),
  };
  return async (request) => {
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(request) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
}

const call = spec.protocol === "grpc" ? grpcCaller() : connectCaller();
const latencies: number[] = [];
let errors = 0;
let firstError: string | undefined;
let index = 0;
const started = performance.now();
const until = started + spec.durationMs;

async function one(): Promise<void> {
  const i = index++;
  const t = performance.now();
  try {
    await call(spec.requests[i % spec.requests.length]);
    latencies.push(performance.now() - t);
  } catch (error) {
    errors++;
    firstError ??= error instanceof Error ? error.message : String(error);
  }
}

if (spec.rate) {
  const interval = 1000 / spec.rate;
  const inFlight: Promise<void>[] = [];
  while (performance.now() < until) {
    inFlight.push(one());
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  await Promise.all(inFlight);
} else {
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (performance.now() < until) await one();
    }),
  );
}
const elapsed = performance.now() - started;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  JSON.stringify({
    count: latencies.length,
    errors,
    firstError,
    perSecond: (latencies.length * 1000) / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  }) + "\n",
);
process.exit(0);
