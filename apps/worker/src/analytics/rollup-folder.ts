import { Injectable, Logger } from '@nestjs/common';
import { FOLD_MAX_PENDING, FoldRollups } from '@tollgate/billing';
import { PostgresLoop } from '../common/postgres-loop';

/**
 * How long the folder waits after a fold that took less than a full fold's rows: pending rows gather meanwhile, and
 * one fold of many batches writes each rollup row once for all of them (reports fold first, so none waits for it).
 */
const GATHER_MS = 1000;

/**
 * Folds priced events into the analytics rollups as pricing writes record them (FoldRollups): one fold after
 * another while full folds are waiting, else every GATHER_MS. Not a queue: the pending rows are in Postgres, and each
 * worker's folder takes rows no other holds.
 */
@Injectable()
export class RollupFolder extends PostgresLoop {
  constructor(private readonly fold: FoldRollups) {
    super(new Logger('rollups'), 'fold priced events into the analytics rollups');
  }

  protected async round(): Promise<number> {
    const folded = await this.fold.some(FOLD_MAX_PENDING);
    return folded.pending >= FOLD_MAX_PENDING ? 0 : GATHER_MS; // at once while more are waiting
  }
}
