import { describe, it, expect } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatDate,
  formatDuration,
  formatEta,
  formatSpeed,
  percent,
  formatClock,
} from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [2100, '2.1 kB'],
    [9_960, '10 kB'],
    [999_499, '999 kB'],
    [999_600, '1.0 MB'],
    [612_000_000, '612 MB'],
    [4_200_000_000, '4.2 GB'],
    [2_900_000_000_000, '2.9 TB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('says – for nonsense', () => {
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('formatSpeed', () => {
  it('appends /s and hides a zero speed', () => {
    expect(formatSpeed(612_000_000)).toBe('612 MB/s');
    expect(formatSpeed(0)).toBe('–');
  });
});

describe('formatDuration and formatEta', () => {
  it.each([
    [0, '0 s'],
    [4_900, '4 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '1 h'],
    [3_780_000, '1 h 3 min'],
    [2 * 86_400_000 + 4 * 3_600_000, '2 d 4 h'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('computes the time left from the speed, rounding up', () => {
    expect(formatEta(2_900_000_000, 4_200_000_000, 612_000_000)).toBe('3 s');
    expect(formatEta(100, 100, 50)).toBe('0 s');
  });

  it('says – when speed or total is unknown', () => {
    expect(formatEta(0, 1000, 0)).toBe('–');
    expect(formatEta(0, 0, 1000)).toBe('–');
  });
});

describe('formatDate', () => {
  const now = new Date(2026, 10, 24, 9, 0);

  it('shows month-day and time within the current year', () => {
    expect(formatDate(new Date(2026, 10, 23, 14, 2).toISOString(), now)).toBe('11-23 14:02');
  });

  it('shows the full date for older entries', () => {
    expect(formatDate(new Date(2024, 0, 5, 8, 0).toISOString(), now)).toBe('2024-01-05');
  });

  it('says – for missing or broken dates', () => {
    expect(formatDate(null, now)).toBe('–');
    expect(formatDate('not a date', now)).toBe('–');
  });

  it('formats clock times with milliseconds', () => {
    expect(formatClock(new Date(2026, 10, 23, 14, 2, 9, 7).toISOString())).toBe('14:02:09.007');
  });
});

describe('percent', () => {
  it('clamps and floors', () => {
    expect(percent(71, 100)).toBe(71);
    expect(percent(2_999, 3_000)).toBe(99);
    expect(percent(5, 0)).toBe(0);
    expect(percent(150, 100)).toBe(100);
  });
});

describe('formatAgo', () => {
  it.each([
    [3_000, 'just now'],
    [40_000, '40 s ago'],
    [125_000, '2 min ago'],
    [3 * 3_600_000 + 59_000, '3 h ago'],
    [50 * 3_600_000, '2 d ago'],
    [-5_000, 'just now'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAgo(ms)).toBe(text);
  });
});
