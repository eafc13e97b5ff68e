/** The speed of a running transfer over its last minute, as samples and as an SVG polyline. */

export interface SpeedSample {
  /** ms since the epoch */
  at: number;
  bytesPerSecond: number;
}

export const SPARK_WINDOW_MS = 60_000;

/** The samples with `sample` added and those older than the window dropped. */
export function addSample(
  samples: readonly SpeedSample[],
  sample: SpeedSample,
  windowMs = SPARK_WINDOW_MS,
): SpeedSample[] {
  const kept = samples.filter((s) => s.at > sample.at - windowMs && s.at < sample.at);
  return [...kept, sample];
}

/**
 * The `points` of a polyline `width` × `height`: now at the right edge, a minute ago at the
 * left, the fastest sample at the top. Empty with fewer than two samples (no line to draw).
 */
export function sparklinePoints(
  samples: readonly SpeedSample[],
  width: number,
  height: number,
  now: number,
  windowMs = SPARK_WINDOW_MS,
): string {
  if (samples.length < 2) return '';
  const max = Math.max(...samples.map((s) => s.bytesPerSecond));
  const round = (n: number) => Math.round(n * 10) / 10;
  return samples
    .map((s) => {
      const x = width - (Math.min(windowMs, Math.max(0, now - s.at)) / windowMs) * width;
      const y = max > 0 ? height - (s.bytesPerSecond / max) * height : height;
      return `${round(x)},${round(y)}`;
    })
    .join(' ');
}
