import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

// JSON logs. Keys never reach them: no header is logged, and anything that looks like a key is redacted.
const KEY_PATTERN = /tg_(ingest|admin|portal)_[A-Za-z0-9_-]+/g;

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: ['req.headers.authorization', 'headers.authorization', 'authorization', 'key', 'admin_key'],
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? a.replace(KEY_PATTERN, 'tg_***') : a)) as Parameters<typeof method>);
      },
    },
  });
}

/** Nest's logger interface on top of pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: unknown) {
    const ctx = typeof context === 'string' ? { context } : {};
    if (typeof message === 'object' && message !== null) this.pino[level]({ ...ctx, ...(message as object) });
    else this.pino[level](ctx, String(message));
  }
  log(message: unknown, context?: unknown) {
    this.write('info', message, context);
  }
  error(message: unknown, _trace?: unknown, context?: unknown) {
    this.write('error', message, context);
  }
  warn(message: unknown, context?: unknown) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: unknown) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: unknown) {
    this.write('trace', message, context);
  }
}
