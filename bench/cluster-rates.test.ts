import { describe, expect, it } from 'vitest';
import { rateBetween, throughput, type TransferTimes } from './cluster-rates.js';
import { parseProcStat } from './measure.js';

describe('rateBetween', () => {
  it('counts the events between two quantiles over the time between them', () => {
    // 11 events 100 ms apart: the 10th and 90th percentiles are the 2nd and the 10th, 8 gaps in 800 ms.
    const times = Array.from({ length: 11 }, (_, i) => 5_000 + i * 100);
    expect(rateBetween(times)).toBeCloseTo(10);
    expect(rateBetween(times, 0, 1)).toBeCloseTo(10);
  });

  it('does not care about the order it is given', () => {
    expect(rateBetween([300, 0, 200, 100], 0, 1)).toBeCloseTo(10);
  });

  it('leaves out a slow ramp-up and tail', () => {
    const steady = Array.from({ length: 81 }, (_, i) => 1_000 + i * 10);
    const times = [
      ...Array.from({ length: 10 }, (_, i) => i * 100),
      ...steady,
      ...Array.from({ length: 10 }, (_, i) => 2_000 + i * 100),
    ];
    expect(rateBetween(times)).toBeCloseTo(100, 0);
    expect(rateBetween(times, 0, 1)).toBeLessThan(40);
  });

  it('is NaN without two events or without time between them', () => {
    expect(rateBetween([])).toBeNaN();
    expect(rateBetween([42])).toBeNaN();
    expect(rateBetween([7, 7, 7])).toBeNaN();
  });
});

describe('throughput', () => {
  const at = (startedAt: number | null, finishedAt: number | null): TransferTimes => ({ startedAt, finishedAt });

  it('counts from the first start: to the last start and to the last finish', () => {
    const result = throughput([at(1_000, 1_400), at(1_200, 1_600), at(1_500, 2_000)]);
    expect(result).toMatchObject({ total: 3, started: 3, done: 3, allStartedMs: 500, allDoneMs: 1_000 });
    expect(result.startedPerSecond).toBeCloseTo(6);
    expect(result.donePerSecond).toBeCloseTo(3);
  });

  it('gives no all-started or all-done time while some are left, and rates over what happened', () => {
    const result = throughput([at(1_000, 2_000), at(1_500, null), at(null, null)]);
    expect(result).toMatchObject({ total: 3, started: 2, done: 1, allStartedMs: null, allDoneMs: null });
    expect(result.startedPerSecond).toBeCloseTo(4);
    expect(result.donePerSecond).toBeCloseTo(1);
  });

  it('has nothing to say about a queue nobody touched', () => {
    const result = throughput([at(null, null), at(null, null)]);
    expect(result).toMatchObject({ started: 0, done: 0, allStartedMs: null, allDoneMs: null });
    expect(result.donePerSecond).toBeNaN();
    expect(throughput([]).allDoneMs).toBeNull();
  });
});

describe('parseProcStat', () => {
  it('reads the CPU fields after a command name that holds spaces and parentheses', () => {
    // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const text = '4242 (postgres: pasv (x) idle) S 17 4242 4242 0 -1 4194560 900 0 0 0 123 45 6 7 20 0 1 0 555\n';
    expect(parseProcStat(text)).toEqual({ ppid: 17, utime: 123, stime: 45, cutime: 6, cstime: 7 });
  });
});
