import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorBody } from './api-error';
import { toApiError } from './api-error-mapping';

/** Every error leaves in the API's shape (docs/input.md "Errors"); storage outages are 503 with Retry-After, never a 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toApiError(exception);
    if (error.status >= 500 && error.code !== 'unavailable') {
      this.logger.error({ msg: 'unhandled error', err: (exception as Error)?.stack ?? String(exception) });
    }
    reply
      .status(error.status)
      .headers(error.headers)
      .send(errorBody(error.code, error.message, error.details));
  }
}
