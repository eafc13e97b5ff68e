import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { DIR, FILES, SIZE, pasvRun, floorRun } from '../small-files-runs.js';
const concurrency = Number(process.argv[2] ?? 4);
const pair = await startVsftpdPair();
try {
  writeSmallFiles(pair.source, DIR, FILES, SIZE);
  for (let i = 0; i < 4; i++) {
    pair.wipeDestination();
    const c = process.cpuUsage();
    const r = await pasvRun(pair, concurrency);
    const u = process.cpuUsage(c);
    console.log('pasv', r.value.toFixed(0), 'ms cpu', r.cpuMs.toFixed(0), 'user', (u.user/1000).toFixed(0), 'sys', (u.system/1000).toFixed(0));
    pair.wipeDestination();
    const f = await floorRun(pair, concurrency);
    console.log('floor', f.value.toFixed(0), 'cpu', f.cpuMs.toFixed(0), JSON.stringify(f).slice(0,200));
  }
} finally { pair.wipeDestination(); await pair.stop(); }
