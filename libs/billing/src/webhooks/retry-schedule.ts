// When a failed delivery is tried again (docs/design.md, "Webhooks"): the delay doubles after each failed
// attempt, from the base up to a cap, with "equal jitter" (a random point in the second half of the delay) so
// deliveries that failed together, say while a receiver was down, do not all come back at the same instant.
// Retried for 24 hours from the delivery's creation; an attempt that would fall later is not made.

export const RETRY_WINDOW_MS = 24 * 3_600_000;

export interface RetrySchedule {
  baseMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/** The delay after failed attempt `attempt` (1 = the first), for `random` in [0, 1). */
export function retryDelayMs(attempt: number, schedule: Pick<RetrySchedule, 'baseMs' | 'maxDelayMs'>, random: number): number {
  const full = Math.min(schedule.baseMs * 2 ** Math.min(attempt - 1, 52), schedule.maxDelayMs);
  return Math.round(full / 2 + (full / 2) * random);
}

/** When to try again after attempt `attempt` failed at `failedAt`; null: the window is over, give up. */
export function nextAttemptAt(attempt: number, failedAt: Date, createdAt: Date, schedule: RetrySchedule, random: number): Date | null {
  const next = failedAt.getTime() + retryDelayMs(attempt, schedule, random);
  return next > createdAt.getTime() + schedule.windowMs ? null : new Date(next);
}
