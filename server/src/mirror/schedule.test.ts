import { describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../errors.js';
import { describeSchedule, nextSlot, validateSchedule } from './schedule.js';

describe('schedules', () => {
  it.each([
    [{ cron: '0 3 * * *' }, 'At 03:00'],
    [{ cron: '*/15 * * * *' }, 'Every 15 minutes'],
    [{ everyMinutes: 30 }, 'Every 30 minutes'],
    [{ everyMinutes: 0.5 }, 'Every 30 seconds'],
  ])('describes %j', (schedule, words) => {
    expect(describeSchedule(schedule)).toBe(words);
  });

  it('finds the next slot', () => {
    const after = new Date('2026-12-02T10:07:00');
    expect(nextSlot({ cron: '*/15 * * * *' }, after)).toBe(new Date('2026-12-02T10:15:00').toISOString());
    expect(nextSlot({ everyMinutes: 2 }, after)).toBe(new Date('2026-12-02T10:09:00').toISOString());
    expect(nextSlot(null, after)).toBeNull();
  });

  it.each(['* * * *', '0 0 0 * * *', '61 * * * *', 'every day'])('refuses %j naming schedule.cron', (cron) => {
    expect(() => validateSchedule({ cron })).toThrow(InvalidFieldError);
    expect(() => validateSchedule({ cron })).toThrow(/^schedule\.cron: /);
  });
});
