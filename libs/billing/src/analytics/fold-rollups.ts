import { Injectable } from '@nestjs/common';
import { AnalyticsRollupsRepository, type Folded } from '@tollgate/db';

/** Pending rows (pricing writes, up to a batch of events each) one worker fold takes: one statement, one transaction. */
export const FOLD_MAX_PENDING = 50;

/**
 * Adds priced events to the analytics rollups (docs/design.md "Analytics"): pricing writes record what they priced
 * in rollup_pending; a fold deletes pending rows and adds their events in one transaction, so each is added once
 * however many workers and reports fold at the same time.
 */
@Injectable()
export class FoldRollups {
  constructor(private readonly rollups: AnalyticsRollupsRepository) {}

  /** The worker's fold: the oldest pending rows no other fold holds, of any organisation. */
  async some(maxPending = FOLD_MAX_PENDING): Promise<Folded> {
    return this.rollups.foldSome(maxPending);
  }

  /** Before a report reads an organisation's rollups: they then hold every event priced before it started. */
  async organization(organizationId: string): Promise<void> {
    await this.rollups.foldOrganization(organizationId);
  }

  /** Before a report across organisations (a price change's impact): folds every organisation's pending rows. */
  async everything(): Promise<void> {
    for (const organizationId of await this.rollups.pendingOrganizations()) await this.rollups.foldOrganization(organizationId);
  }
}
