import { startProcess } from '@tollgate/db';
import { createApi } from './create-api';

startProcess('tollgate-api', async (config, logger) => {
  const app = await createApi(config, logger);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info({ msg: 'tollgate api listening', url: `http://${config.host}:${config.port}`, docs: '/docs' });
});
