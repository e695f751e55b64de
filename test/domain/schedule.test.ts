import { describe, expect, it } from 'vitest';
import { periodId } from '../../worker/domain/period.ts';
import { firesBetween, lastFireWithin, nextFires, periodForFire } from '../../worker/domain/schedule.ts';

const TZ = 'Asia/Shanghai';

describe('schedule arithmetic', () => {
  it('derives the period a fire reports on from the local calendar', () => {
    expect(periodId(periodForFire(new Date('2023-10-20T01:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q3');
    expect(periodId(periodForFire(new Date('2024-01-20T01:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q4');
    // 2023-03-31 17:00 UTC is already April 1st in Beijing: the quarter that ended is Q1.
    expect(periodId(periodForFire(new Date('2023-03-31T17:00:00Z'), TZ, 'previous-quarter'))).toBe('2023Q1');
    expect(periodId(periodForFire(new Date('2023-03-31T17:00:00Z'), 'UTC', 'previous-quarter'))).toBe('2022Q4');
    expect(periodId(periodForFire(new Date('2023-12-05T01:00:00Z'), TZ, 'previous-month'))).toBe('2023-11');
    expect(periodId(periodForFire(new Date('2024-01-05T01:00:00Z'), TZ, 'previous-month'))).toBe('2023-12');
  });

  it('lists next fires in the time zone, and finds a missed fire within a window', () => {
    const cron = '0 9 20 1,4,7,10 *';
    expect(nextFires(cron, TZ, new Date('2023-10-21T00:00:00Z'), 2).map((d) => d.toISOString())).toEqual(['2024-01-20T01:00:00.000Z', '2024-04-20T01:00:00.000Z']);
    const fire = new Date('2023-10-20T01:00:00Z');
    expect(lastFireWithin(cron, TZ, new Date(fire.getTime() + 3600_000), 72 * 3600_000)).toEqual(fire);
    expect(lastFireWithin(cron, TZ, fire, 0)).toEqual(fire); // exactly at the fire
    expect(lastFireWithin(cron, TZ, new Date(fire.getTime() + 4 * 86400_000), 72 * 3600_000)).toBeUndefined();
    expect(firesBetween(cron, TZ, new Date('2023-01-01T00:00:00Z'), new Date('2023-12-31T00:00:00Z'))).toHaveLength(4);
  });
});
