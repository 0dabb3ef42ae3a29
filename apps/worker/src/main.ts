import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger } from '@tollgate/config';
import { startProcess } from '@tollgate/db';
import { WorkerModule } from './worker.module';

startProcess('tollgate-worker', async (config, logger) => {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  await app.init();
  logger.info({ msg: 'tollgate worker running' });
});
