// A load generator in its own process: runs one call shape at a fixed concurrency for a while
// and prints {count, errors, perSecond, p50, p99} as JSON. Callers pass the spec as JSON argv.
import http from "node:http";
import { encodeRequests, h2GrpcCaller } from "./h2-grpc.js";

export interface LoadSpec {
  protocol: "grpc" | "connect-json";
  address: string; // host:port
  service: string; // e.g. zitadel.user.v2.UserService
  method: string;
  token?: string;
  /** Requests to cycle through, in protobuf's JSON form. */
  requests: unknown[];
  concurrency: number;
  durationMs: number;
  /** Paced calls per second instead of a closed loop (for probes). */
  rate?: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;

/** Connect JSON over HTTP/1.1 keep-alive connections: node:http costs about half of what fetch does per call. */
function connectCaller(): (request: unknown) => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const url = `http://${spec.address}/${spec.service}/${spec.method}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(spec.token && { authorization: `Bearer ${spec.token}` }),
  };
  const bodies = new Map(spec.requests.map((request) => [request, JSON.stringify(request)]));
  return (request) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent, headers }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(bodies.get(request));
    });
}

function grpcCaller(): (request: unknown) => Promise<void> {
  const encoded = encodeRequests(spec.service, spec.method, spec.requests);
  const frames = new Map(spec.requests.map((request, i) => [request, encoded[i]!]));
  const call = h2GrpcCaller(spec.address, spec.service, spec.method, spec.token);
  return (request) => call(frames.get(request)!);
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
