/** A transfer's story keeps its bound and counts what it left out, on both engines. */
import { expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import { EventBus } from '../events.js';
import type { Db } from '../store/db.js';
import { TransferStore } from './store.js';
import { MAX_PER_FILE, MAX_PER_TRANSFER, TraceStore } from './trace.js';

/** A transfer row to hang a story on, and the story's store. */
function story(db: Db, sourcePath: string): { id: string; traces: TraceStore } {
  const transfer = new TransferStore(db).insertTransfer({
    name: sourcePath.slice(1),
    source_site: 'a',
    source_path: sourcePath,
    dest_site: 'b',
    dest_dir: '/',
    requested_mode: 'auto',
    if_exists: 'overwrite',
  });
  return { id: transfer.id, traces: new TraceStore(db, new EventBus()) };
}

onBothEngines((open) => {
  it('keeps MAX_PER_TRANSFER entries, MAX_PER_FILE per file, and counts every one left out', () => {
    const { id, traces } = story(open(), '/tree');
    // One file says too much; then many files say a little each, past the transfer's bound.
    for (let i = 0; i < MAX_PER_FILE + 50; i++) traces.event(id, 'note', `chatty ${i}`, '/tree/chatty');
    const perFile = 10;
    const files = Math.ceil((MAX_PER_TRANSFER - MAX_PER_FILE) / perFile) + 30;
    for (let f = 0; f < files; f++) {
      for (let i = 0; i < perFile; i++) traces.event(id, 'note', `line ${i}`, `/tree/f${f}`);
    }
    // Counted in memory and written with the next commit: the story read now has them all.
    const { entries, dropped } = traces.list(id);
    expect(entries).toHaveLength(MAX_PER_TRANSFER);
    expect(entries.filter((e) => e.path === '/tree/chatty')).toHaveLength(MAX_PER_FILE);
    expect(dropped).toBe(MAX_PER_FILE + 50 + files * perFile - MAX_PER_TRANSFER);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });

  it('reads where the data connection goes from the logged lines: a 227 with its code, then the 150 that opens it', () => {
    const { id, traces } = story(open(), '/one');
    const tag = { transferId: id, role: 'source' as const, path: '/one' };
    const say = (direction: 'sent' | 'received', line: string) =>
      traces.line(tag, { sessionId: 's', siteId: 'a', direction, line, at: Date.now() });
    say('sent', 'PASV');
    say('received', '227 Entering Passive Mode (127,0,0,2,195,80).');
    say('sent', 'RETR /one');
    say('received', '150 Opening BINARY mode data connection for /one (4096 bytes).');
    const data = traces.list(id).entries.filter((e) => e.kind === 'data');
    expect(data.map((e) => e.text)).toEqual(['data connection opened between pasv and source 127.0.0.2:50000']);
  });
});
