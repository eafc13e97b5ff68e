import type { SpeedSample } from '../model/sparkline.js';
import { sparklinePoints } from '../model/sparkline.js';

const WIDTH = 60;
const HEIGHT = 16;

/** The last minute of a running transfer's speed; decorative (the speed is in the cell as text). */
export function Sparkline({ samples }: { samples: readonly SpeedSample[] }) {
  const last = samples[samples.length - 1];
  const points = last ? sparklinePoints(samples, WIDTH, HEIGHT, last.at) : '';
  if (!points) return null;
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
