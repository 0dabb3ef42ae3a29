import { Injectable, Logger } from '@nestjs/common';
import { CreditsRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { RefreshEntitlements } from './refresh-entitlements';

/** Grants expired per transaction. */
const CHUNK = 500;

/**
 * The credit expiry job (the worker runs it every CREDIT_EXPIRY_INTERVAL_SECONDS): every active grant past its
 * expires_at with something left is expired, its remaining going to zero with an `expiry` ledger entry of what was
 * left, a chunk of grants per transaction under their customers' row locks, guarded so a grant expires once however
 * many workers run it. Postgres is the truth: a worker that was down expires, at its next run, everything that came
 * due. Then the customers' entitlements and credit levels are refreshed (an expiry can exhaust a wallet).
 */
@Injectable()
export class ExpireCreditGrants {
  private readonly logger = new Logger('credits');

  constructor(
    private readonly transactions: Transactions,
    private readonly credits: CreditsRepository,
    private readonly refresh: RefreshEntitlements,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<{ expired: number; customers: number }> {
    const now = this.clock.now();
    let expired = 0;
    const touched = new Set<string>();
    for (;;) {
      const due = await this.credits.dueExpiries(now, CHUNK);
      if (due.length === 0) break;
      const customers = await this.transactions.run(async (tx) => {
        await this.credits.lockCustomers(tx, [...new Set(due.map((g) => g.customer_id))]);
        const done = await this.credits.expire(
          tx,
          due.map((g) => g.id),
          now,
        );
        await this.credits.touch(
          tx,
          done.map((g) => g.customer_id),
        );
        return done;
      });
      expired += customers.length;
      for (const g of customers) touched.add(g.customer_id);
      if (due.length < CHUNK) break;
    }
    if (touched.size > 0) {
      await this.refresh.execute([...touched]);
      this.logger.log({ msg: 'credit grants expired', grants: expired, customers: touched.size });
    }
    return { expired, customers: touched.size };
  }
}
