import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { CreateFirstOrganization } from '@tollgate/billing';
import { PinoNestLogger, TollgateConfig } from '@tollgate/config';
import { ApiModule } from './api.module';
import { registerJsonBody } from './common/json-body';
import { Metrics } from './common/metrics';

/** The api as a Nest application, configured but not listening (main.ts and the tests both use it). */
export async function createApi(config: TollgateConfig, logger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ logger: false, bodyLimit: 2 * 1024 * 1024, trustProxy: true });
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

  if (config.adminKey) {
    const created = await app.get(CreateFirstOrganization).execute({ adminKey: config.adminKey });
    if (created) logger.info({ msg: 'created the default organisation and its admin key from TOLLGATE_ADMIN_KEY' });
  }
  return app;
}
