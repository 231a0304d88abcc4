import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";

interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics in Prometheus's text format, on a listener of its own (LATCHKEY_METRICS_ADDR), so
 * the public port never shows them.
 */
export async function listenForMetrics(metrics: Metrics, address: { host: string; port: number }, log: Logger): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if (req.url?.split("?", 1)[0] !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(req.method === "HEAD" ? undefined : text),
      (error: Error) => {
        log.warn("collecting metrics failed", { error: error.message });
        res.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed\n");
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info("metrics listening", { host: address.host, port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
