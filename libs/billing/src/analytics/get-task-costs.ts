import { Injectable } from '@nestjs/common';
import { AnalyticsRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { Clock } from '../clock';
import { resolveRange } from './analytics-range';
import { FoldRollups } from './fold-rollups';

export interface TaskCostsQuery {
  organizationId: string;
  from?: Date;
  to?: Date;
  /** How many of the longest tasks to list. */
  longest: number;
}

const dec = (v: string) => new Decimal(v).toFixed();
const share = (part: string, whole: string) =>
  new Decimal(whole).isZero() ? '0.0000' : new Decimal(part).div(whole).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);

/**
 * GET /v1/analytics/tasks: cost per task (the SDK's task() runs) per task kind over a range: calls per task and cost
 * per task (p50, p95, max; nearest rank), the retries' share of the cost (events sent with retry_of or status
 * "error"), and the longest agent loops (the tasks with the most calls).
 */
@Injectable()
export class GetTaskCosts {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly clock: Clock,
    private readonly fold: FoldRollups,
  ) {}

  async execute({ organizationId, longest, ...range }: TaskCostsQuery) {
    await this.fold.organization(organizationId);
    const { from, to } = resolveRange(this.clock.now(), range.from, range.to);
    const [kinds, tasks] = await Promise.all([
      this.analytics.taskKinds(organizationId, from, to),
      this.analytics.longestTasks(organizationId, from, to, longest),
    ]);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      kinds: kinds.map((k) => ({
        task_name: k.task_name === '' ? null : k.task_name,
        tasks: Number(k.tasks),
        calls: Number(k.calls),
        calls_per_task: {
          mean: new Decimal(k.calls).div(k.tasks).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2),
          p50: Number(k.calls_p50),
          p95: Number(k.calls_p95),
          max: Number(k.calls_max),
        },
        provider_cost: dec(k.cost),
        cost_per_task: { p50: dec(k.cost_p50), p95: dec(k.cost_p95), max: dec(k.cost_max) },
        retry_calls: Number(k.retry_calls),
        retry_cost: dec(k.retry_cost),
        retry_cost_share: share(k.retry_cost, k.cost),
      })),
      longest: tasks.map((t) => ({
        task_id: t.task_id,
        task_name: t.task_name === '' ? null : t.task_name,
        external_customer_id: t.external_customer_id,
        calls: Number(t.calls),
        retry_calls: Number(t.retry_calls),
        provider_cost: dec(t.cost),
        first_day: t.first_day,
        last_day: t.last_day,
      })),
    };
  }
}
