import fs from 'node:fs';
import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { DIR, FILES, SIZE, pasvRun } from '../small-files-runs.js';
const concurrency = Number(process.argv[2] ?? 4);
function threads() {
  const out = new Map<string, { name: string; u: number; s: number }>();
  for (const t of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(t, { name, u: Number(f[11]) * 10, s: Number(f[12]) * 10 });
  }
  return out;
}
const pair = await startVsftpdPair();
try {
  writeSmallFiles(pair.source, DIR, FILES, SIZE);
  for (let i = 0; i < 4; i++) {
    pair.wipeDestination();
    const a = threads();
    const r = await pasvRun(pair, concurrency);
    const b = threads();
    const rows: string[] = [];
    const agg = new Map<string, [number, number]>();
    for (const [t, v] of b) { const o = a.get(t) ?? { u: 0, s: 0 }; const k = t === String(process.pid) ? 'MAIN' : v.name; const x = agg.get(k) ?? [0, 0]; x[0] += v.u - o.u; x[1] += v.s - o.s; agg.set(k, x); }
    for (const [k, [u, s]] of agg) if (u + s > 0) rows.push(`${k} u${u} s${s}`);
    console.log('pasv', r.value.toFixed(0), 'cpu(window)', r.cpuMs.toFixed(0), '| whole run incl. start:', rows.join(', '));
  }
} finally { pair.wipeDestination(); await pair.stop(); }
