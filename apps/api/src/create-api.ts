import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { CreateFirstOrganization, UpgradeApiKeyHashes, AuthenticateApiKey } from '@tollgate/billing';
import { ConfigError, PinoNestLogger, TollgateConfig } from '@tollgate/config';
import { ApiModule } from './api.module';
import { httpServerOptions } from './common/http-server-options';
import { registerJsonBody } from './common/json-body';
import { Metrics } from './common/metrics';

/** The api as a Nest application, configured but not listening (main.ts and the tests both use it). */
export async function createApi(config: TollgateConfig, logger: Logger): Promise<NestFastifyApplication> {
  if (config.secret === undefined) {
    throw new ConfigError('TOLLGATE_SECRET is not set: the api hashes API keys with it (at least 32 bytes; `npm start` makes one in .data/secret)');
  }
  const adapter = new FastifyAdapter({ ...httpServerOptions(config), logger: false, bodyLimit: 2 * 1024 * 1024 });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBody(fastify);

  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, seconds);
    logger.info({ msg: 'request', method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
    done();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tollgate API')
      .setDescription('Usage metering and cost-plus billing for AI products. Money is a decimal string; token counts are integers.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  const { upgraded } = await app.get(UpgradeApiKeyHashes).execute();
  if (upgraded > 0) logger.info({ msg: 'rehashed API keys stored before keyed hashes under TOLLGATE_SECRET', keys: upgraded });
  if (config.adminKey) {
    const created = await app.get(CreateFirstOrganization).execute({ adminKey: config.adminKey });
    if (created) logger.info({ msg: 'created the default organisation and its admin key from TOLLGATE_ADMIN_KEY' });
    // Only an empty database takes it: a rotated or revoked admin key is never brought back.
    else if ((await app.get(AuthenticateApiKey).execute({ key: config.adminKey })) === null) {
      logger.warn({ msg: 'TOLLGATE_ADMIN_KEY is not a key of this database (rotated or revoked?); it is only read on an empty database' });
    }
  }
  return app;
}
