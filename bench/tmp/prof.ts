import { profileHere, summarizeProfile, type CpuProfile } from '../profile.js';
import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { DIR, FILES, SIZE, pasvRun } from '../small-files-runs.js';

const concurrency = Number(process.argv[2] ?? 4);
const pair = await startVsftpdPair();
function inclusive(profile: CpuProfile, top = 40) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const incl = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const f = nodes.get(id)!.callFrame;
    if (f.functionName === '(idle)') return;
    total += us;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      const fr = nodes.get(cur)!.callFrame;
      const key = `${fr.functionName || '(anon)'} ${fr.url.replace(/.*\/(server|node_modules|bench)\//, '$1/')}:${fr.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + us);
    }
  });
  return { total: total / 1000, top: [...incl].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms ${((v / total) * 100).toFixed(1).padStart(5)}% ${k}`) };
}
try {
  writeSmallFiles(pair.source, DIR, FILES, SIZE);
  for (let i = 0; i < 2; i++) {
    pair.wipeDestination();
    const r = await pasvRun(pair, concurrency);
    console.log('warm', r.value.toFixed(0), 'ms cpu', r.cpuMs.toFixed(0));
  }
  pair.wipeDestination();
  const { result, profile } = await profileHere(() => pasvRun(pair, concurrency));
  (await import('node:fs')).writeFileSync('/tmp/p4.cpuprofile', JSON.stringify(profile));
  console.log('profiled', result.value.toFixed(0), 'ms cpu', result.cpuMs.toFixed(0));
  const s = summarizeProfile(profile, 45);
  console.log('total', s.total);
  for (const f of s.files) console.log('F', f.ms, f.percent, f.name);
  for (const f of s.functions) console.log('S', f.ms, f.percent, f.name);
  const inc = inclusive(profile, 400);
  console.log('non-idle', inc.total);
  for (const l of inc.top) console.log('I', l);
} finally {
  pair.wipeDestination();
  await pair.stop();
}
