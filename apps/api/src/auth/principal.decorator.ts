import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { KeyPrincipal } from '@tollgate/db';

export const PRINCIPAL = Symbol('principal');

/** The authenticated key of the request. */
export const Principal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): KeyPrincipal => ctx.switchToHttp().getRequest()[PRINCIPAL],
);
