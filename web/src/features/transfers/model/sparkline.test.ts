import { describe, expect, it } from 'vitest';
import { addSample, sparklinePoints } from './sparkline.js';

describe('speed sparkline', () => {
  it('keeps the last minute of samples', () => {
    let samples = addSample([], { at: 0, bytesPerSecond: 1 });
    samples = addSample(samples, { at: 30_000, bytesPerSecond: 2 });
    samples = addSample(samples, { at: 61_000, bytesPerSecond: 3 });
    expect(samples.map((s) => s.bytesPerSecond)).toEqual([2, 3]);
  });

  it('draws now at the right, the fastest at the top', () => {
    const samples = [
      { at: 0, bytesPerSecond: 50 },
      { at: 30_000, bytesPerSecond: 100 },
      { at: 60_000, bytesPerSecond: 0 },
    ];
    expect(sparklinePoints(samples, 60, 20, 60_000)).toBe('0,10 30,0 60,20');
    expect(sparklinePoints(samples.slice(0, 1), 60, 20, 60_000)).toBe('');
    expect(
      sparklinePoints(
        [
          { at: 0, bytesPerSecond: 0 },
          { at: 1000, bytesPerSecond: 0 },
        ],
        60,
        20,
        1000,
      ),
    ).toBe('59,20 60,20');
  });
});
