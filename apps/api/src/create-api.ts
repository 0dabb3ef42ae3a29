import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AuthenticateApiKey, CreateFirstOrganization, EntitlementCache, UpgradeApiKeyHashes } from '@tollgate/billing';
import { ConfigError, PinoNestLogger, type TollgateConfig } from '@tollgate/config';
import { ApiModule } from './api.module';
import { errorBody } from './common/api-error';
import { clientErrorHandler, frameworkErrors } from './common/http-errors';
import { httpServerOptions } from './common/http-server-options';
import { MAX_BODY_BYTES, registerJsonBody } from './common/json-body';
import { applySchemas, type Document } from './common/schema/openapi';
import { MAX_TEXT } from './common/schema/primitives';
import { ErrorResponse } from './common/schema/responses';
import { urlProblem } from './common/schema/undeclared-input';
import { ROUTE_SCHEMAS } from './common/schema/validate';
import { Metrics } from './common/metrics';
import { registerIngestAdmission } from './events/ingest-admission';
import { PortalRoutes } from './portal/portal-routes';
import { DashboardRoutes } from './dashboard/dashboard-routes';

/** Methods that change nothing. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The api as a Nest application, configured but not listening (main.ts and the tests both use it). */
export async function createApi(config: TollgateConfig, logger: Logger): Promise<NestFastifyApplication> {
  if (config.secret === undefined) {
    throw new ConfigError(
      'TOLLGATE_SECRET is not set: the api hashes API keys with it (at least 32 bytes; `npm start` makes one in .data/secret)',
    );
  }
  const adapter = new FastifyAdapter({
    // Timeouts and TRUST_PROXY (HTTP_*_TIMEOUT_SECONDS).
    ...httpServerOptions(config),
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    // Ids are up to 255 characters; Fastify measures a decoded parameter in UTF-16 units (2 per astral character).
    routerOptions: { maxParamLength: 2 * MAX_TEXT },
    // Errors answered before Nest sees the request (a 408 of the timeouts among them) leave in the API's shape too.
    clientErrorHandler,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBody(fastify);
  fastify.addHook('onRequest', (req, reply, done) => {
    const problem = urlProblem(req.url);
    if (problem) reply.code(problem.status).type('application/json; charset=utf-8').send(errorBody(problem.code, problem.message));
    else done();
  });
  const metrics = app.get(Metrics);
  registerIngestAdmission(fastify, config.ingestMaxInFlightBytes, () => metrics.ingestShed.inc());
  // A change made through this api (a grant, a payment, a customer's cap) is in its entitlement answers as soon as
  // its response is: the response waits until the in-process cache has heard every change committed before it.
  // Agents' calls (events, entitlement checks) change nothing the cache holds and never wait.
  const entitlements = app.get(EntitlementCache);
  fastify.addHook('onSend', (req, _reply, payload, done) => {
    if (READS.has(req.method) || req.url.startsWith('/v1/events')) return done(null, payload);
    entitlements.sync().then(() => done(null, payload), done);
  });
  // The customer portal's pages answer HTML, not the API's JSON (portal/portal-routes.ts).
  app.get(PortalRoutes).register(fastify);
  // The operator dashboard's pages answer HTML and take forms, not the API's JSON (dashboard/dashboard-routes.ts).
  app.get(DashboardRoutes).register(fastify);

  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, seconds);
    logger.info({ msg: 'request', method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
    done();
  });

  const document: OpenAPIObject = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tollgate API')
      .setDescription('Usage metering and cost-plus billing for AI products. Money is a decimal string; token counts are integers.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  // Request and response schemas come from the validators' own schemas (common/schema/openapi.ts).
  applySchemas(document as unknown as Document, ROUTE_SCHEMAS, ErrorResponse);
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
