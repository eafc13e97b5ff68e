import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../../../../../contract/index.js';
import { describeRow, layoutStory, mergeEntries, summarize } from './layout.js';

let seq = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
function line(role: 'source' | 'destination', direction: 'sent' | 'received', text: string, ms = seq * 10): TraceEntry {
  seq++;
  return { seq, at: at(ms), kind: 'line', role, sessionId: 's', siteId: role, direction, text, path: '/a.bin' };
}
function event(kind: 'data' | 'relay' | 'note', text: string): TraceEntry {
  seq++;
  return {
    seq,
    at: at(seq * 10),
    kind,
    role: null,
    sessionId: null,
    siteId: null,
    direction: null,
    text,
    path: '/a.bin',
  };
}

describe('layoutStory', () => {
  it('draws an FXP exchange: commands from pasv, replies back, the data connection between the servers', () => {
    seq = 0;
    const entries = [
      line('destination', 'sent', 'PASV', 0),
      line('destination', 'received', '227 Entering Passive Mode (127,0,0,3,4,1)', 5),
      line('source', 'sent', 'PORT 127,0,0,3,4,1', 7),
      line('source', 'received', '200 PORT command successful', 9),
      line('destination', 'sent', 'STOR /a.bin', 11),
      line('destination', 'received', '150 Opening data connection', 12),
      event('data', 'data connection opened between source and destination 127.0.0.3:1025'),
      line('destination', 'received', '226 Transfer complete', 50),
    ];
    const story = layoutStory(entries);
    expect(story.rows.map(describeRow)).toEqual([
      'pasv → destination: PASV',
      'destination → pasv: 227 Entering Passive Mode (127,0,0,3,4,1)',
      'pasv → source: PORT 127,0,0,3,4,1',
      'source → pasv: 200 PORT command successful',
      'pasv → destination: STOR /a.bin',
      'destination → pasv: 150 Opening data connection',
      'data: data connection opened between source and destination 127.0.0.3:1025',
      'destination → pasv: 226 Transfer complete',
    ]);
    expect(story.rows.map((row) => row.ms)).toEqual([0, 5, 7, 9, 11, 12, 70, 50]);
    expect(story.rows[5]).toMatchObject({ tone: 'waiting' });
    expect(story.data).toEqual({ from: 'source', to: 'destination' });
    expect(story.relayed).toBe(false);
    expect(summarize(story, 'a.bin')).toBe(
      'Sequence diagram of a.bin: 3 commands, data connection between source and destination',
    );
  });

  it('marks refusals, the ladder notes and the relay as bands where they happened', () => {
    seq = 0;
    const story = layoutStory([
      line('source', 'sent', 'PORT 127,0,0,3,4,1'),
      line('source', 'received', '500 Illegal PORT command'),
      event('note', 'fell back to relay (500 Illegal PORT command)'),
      event('relay', 'relay through pasv'),
      event('data', 'data connection opened between pasv and source 127.0.0.2:2000'),
    ]);
    expect(story.rows.map((row) => row.kind)).toEqual(['arrow', 'arrow', 'band', 'band', 'data']);
    expect(story.rows[1]).toMatchObject({ tone: 'refusal' });
    expect(story.rows[2]).toMatchObject({ tone: 'note' });
    expect(story.rows[3]).toMatchObject({ tone: 'relay' });
    expect(story.data).toEqual({ from: 'pasv', to: 'source' });
    expect(story.refusals).toBe(1);
    expect(summarize(story, 'a.bin')).toBe('Sequence diagram of a.bin: 1 commands, 1 refused, relayed through pasv');
  });

  it('folds a multi-line reply into one arrow labelled with its final line', () => {
    seq = 0;
    const story = layoutStory([
      line('source', 'sent', 'FEAT'),
      line('source', 'received', '211-Features:'),
      line('source', 'received', ' SIZE'),
      line('source', 'received', '211 End'),
    ]);
    expect(story.rows.map(describeRow)).toEqual(['pasv → source: FEAT', 'source → pasv: 211 End']);
  });
});

describe('layoutStory of a directory copy', () => {
  it("heads each file's lines with its path", () => {
    seq = 0;
    const a = line('source', 'sent', 'RETR /d/a');
    const b = { ...line('source', 'sent', 'RETR /d/b'), path: '/d/b' };
    const story = layoutStory([a, b]);
    expect(story.rows.map(describeRow)).toEqual([
      'file: /a.bin',
      'pasv → source: RETR /d/a',
      'file: /d/b',
      'pasv → source: RETR /d/b',
    ]);
  });
});

describe('mergeEntries', () => {
  it('keeps one entry per seq, in seq order, whichever list had it first', () => {
    seq = 0;
    const [a, b, c] = [line('source', 'sent', 'A'), line('source', 'sent', 'B'), line('source', 'sent', 'C')];
    expect(mergeEntries([a!, c!], [b!, c!]).map((e) => e.text)).toEqual(['A', 'B', 'C']);
  });
});
