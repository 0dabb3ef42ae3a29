import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, metricsAuthorized, type TollgateConfig } from '@tollgate/config';
import { WorkerMetrics } from './worker-metrics';

/** The worker has no HTTP api: a small listener of its own serves GET /metrics on HOST:WORKER_METRICS_PORT. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics');
  private server?: Server;

  constructor(
    private readonly metrics: WorkerMetrics,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      if (!metricsAuthorized(req.headers.authorization, this.config.metricsToken)) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"' } }));
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (err: Error) => {
          // A gauge read from Redis or Postgres failed: the reason goes to the log, not to whoever scrapes.
          this.logger.warn({ msg: 'metrics unavailable', err: err.message });
          res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable: Redis or Postgres is down\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.workerMetricsPort, this.config.host, () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.logger.log({ msg: 'worker metrics listening', url: `http://${address}:${port}/metrics` });
  }

  /** The port it listens on (the OS's choice when WORKER_METRICS_PORT is 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async onApplicationShutdown() {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
