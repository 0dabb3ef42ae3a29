import { Inject, Injectable } from '@nestjs/common';
import type { PrismaClient } from './generated/prisma/client';
import { PRISMA } from './tokens';
import type { Tx } from './database';

/**
 * The unit of work of a use case: one Prisma interactive transaction. Repositories' methods take its `tx`,
 * so a Prisma write and a hand-written set-based statement (e.g. a customer's new plan and the repricing
 * reset it implies) commit or roll back together.
 */
@Injectable()
export class Transactions {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // A reset may re-open a large customer's period: Prisma's 5 s default would abort it half way.
    return this.prisma.$transaction(work, { maxWait: 5_000, timeout: 120_000 });
  }
}
