/**
 * When a job runs by itself: a 5-field cron expression (croner, server time) or every N
 * minutes, with the next slot and a preview in words (cronstrue: "At 03:00 AM").
 */
import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import type { MirrorSchedule } from '../../../contract/index.js';
import { InvalidFieldError } from '../errors.js';

function cronOf(expression: string): Cron {
  // croner also takes 6 and 7 fields (seconds, years); the spec and the UI speak 5.
  if (expression.trim().split(/\s+/).length !== 5) {
    throw new InvalidFieldError('schedule.cron', `"${expression}" is not a 5-field cron expression (minute hour day month weekday)`);
  }
  try {
    return new Cron(expression, { paused: true });
  } catch (error) {
    throw new InvalidFieldError('schedule.cron', `"${expression}": ${(error as Error).message}`);
  }
}

/** Throws InvalidFieldError naming the field when the schedule cannot run. */
export function validateSchedule(schedule: MirrorSchedule | null): void {
  if (schedule && 'cron' in schedule) cronOf(schedule.cron);
}

/** The first slot strictly after `after`, ISO; null without a schedule. */
export function nextSlot(schedule: MirrorSchedule | null, after: Date): string | null {
  if (!schedule) return null;
  if ('everyMinutes' in schedule) return new Date(after.getTime() + schedule.everyMinutes * 60_000).toISOString();
  return cronOf(schedule.cron).nextRun(after)?.toISOString() ?? null;
}

export function describeSchedule(schedule: MirrorSchedule | null): string | null {
  if (!schedule) return null;
  if ('cron' in schedule) return cronstrue.toString(schedule.cron, { use24HourTimeFormat: true });
  const minutes = schedule.everyMinutes;
  if (minutes < 1) return `Every ${Math.round(minutes * 60)} seconds`;
  return minutes === 1 ? 'Every minute' : `Every ${minutes} minutes`;
}
