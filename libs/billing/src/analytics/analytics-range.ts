import { InvalidCommandError } from '../errors';

/** The longest range a report covers: a year and a month (a yearly plan's period, plus the month after). */
export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

/**
 * A report's range, [from, to): the rollups are kept per UTC day, so both ends are UTC midnights (docs/api.md
 * "Analytics").
 */
export function checkRange(from: Date, to: Date): void {
  for (const [field, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (d.getTime() % DAY_MS !== 0)
      throw new InvalidCommandError(`${field} must be a UTC midnight`, [
        { field, message: 'must be a UTC midnight (reports are kept per day)' },
      ]);
  }
  if (to <= from) throw new InvalidCommandError('to must be after from', [{ field: 'to', message: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw new InvalidCommandError(`the range is at most ${MAX_RANGE_DAYS} days`, [
      { field: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` },
    ]);
}

/** The default range: the 30 days up to the end of today (UTC). */
export function resolveRange(now: Date, from?: Date, to?: Date): { from: Date; to: Date } {
  const end = to ?? new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  const start = from ?? new Date(end.getTime() - 30 * DAY_MS);
  checkRange(start, end);
  return { from: start, to: end };
}
