import { startBenchApp } from '../app.js';
import { startVsftpdPair, writeSmallFiles } from '../servers.js';
const pair = await startVsftpdPair();
const app = await startBenchApp({ PASV_CONCURRENCY: '4' });
try {
  writeSmallFiles(pair.source, 't100/d0', 100, 4096);
  const sites = await app.addPair(pair, 4);
  for (let i = 0; i < 3; i++) {
    pair.wipeDestination();
    const t0 = Date.now();
    const created = await app.createTransfer({ source: { siteId: sites.source, path: '/t100' }, destination: { siteId: sites.destination, dir: '/' } });
    const posted = Date.now();
    await app.finished(created.id);
    const done = Date.now();
    const trace = await app.request<{ entries: { at: string; role: string; text: string; path: string }[] }>('GET', `/api/transfers/${created.id}/trace`);
    console.log(`run ${i}: POST ${posted - t0} ms, done ${done - t0} ms, entries ${trace.entries.length}`);
    if (i === 2) for (const e of trace.entries.filter((_, k, all) => k < 30 || k > all.length - 15)) console.log(String(Date.parse(e.at) - t0).padStart(5), e.role, e.path, e.text.slice(0, 60));
  }
} finally { await app.close(); pair.wipeDestination(); await pair.stop(); }
