import { useEffect, useState } from 'react';
import { addSample, type SpeedSample } from '../model/sparkline.js';

/** The speeds seen while a transfer runs, newest last, kept in the row (gone once it ends). */
export function useSpeedSamples(bytesPerSecond: number, bytesDone: number, running: boolean): SpeedSample[] {
  const [samples, setSamples] = useState<SpeedSample[]>([]);
  useEffect(() => {
    if (!running) {
      setSamples((current) => (current.length === 0 ? current : []));
      return;
    }
    setSamples((current) => addSample(current, { at: Date.now(), bytesPerSecond }));
    // bytesDone: every progress update is a sample, also when the speed stays the same.
  }, [bytesPerSecond, bytesDone, running]);
  return samples;
}
