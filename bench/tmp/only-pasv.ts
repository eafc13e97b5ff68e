import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { DIR, FILES, SIZE, pasvRun } from '../small-files-runs.js';
const concurrency = Number(process.argv[2] ?? 4);
const pair = await startVsftpdPair();
try {
  writeSmallFiles(pair.source, DIR, FILES, SIZE);
  for (let i = 0; i < 6; i++) {
    pair.wipeDestination();
    const r = await pasvRun(pair, concurrency);
    console.log('pasv', r.value.toFixed(0), 'cpu', r.cpuMs.toFixed(0));
  }
} finally { pair.wipeDestination(); await pair.stop(); }
