import { assertNever, type TraceEntry } from '../../../../../contract/index.js';

/** The three lifelines of the sequence diagram, left to right. */
export type Lane = 'source' | 'pasv' | 'destination';

export type Tone = 'command' | 'ok' | 'waiting' | 'refusal';

export type StoryRow =
  | { kind: 'arrow'; seq: number; ms: number; from: Lane; to: Lane; label: string; tone: Tone; path: string | null }
  | { kind: 'data'; seq: number; ms: number; from: Lane; to: Lane; label: string }
  | { kind: 'band'; seq: number; ms: number; label: string; tone: 'relay' | 'note' | 'file' };

export interface Story {
  rows: StoryRow[];
  /** The last data connection opened, for the figure on top: between the servers (FXP) or with pasv (relay). */
  data: { from: Lane; to: Lane } | null;
  relayed: boolean;
  refusals: number;
}

/** Merge fetched and live entries: one per seq, in seq order. */
export function mergeEntries(...lists: TraceEntry[][]): TraceEntry[] {
  const bySeq = new Map<number, TraceEntry>();
  for (const list of lists) for (const entry of list) if (!bySeq.has(entry.seq)) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function toneOf(reply: string): Tone {
  const code = Number(reply.slice(0, 3));
  if (code >= 400) return 'refusal';
  if (code >= 100 && code < 200) return 'waiting';
  return 'ok';
}

const DATA_OPENED = /^data connection opened between (source|destination|pasv) and (source|destination)\b/;

/**
 * The entries as diagram rows: a command is an arrow from pasv to its server, a reply one
 * back; a multi-line reply (FEAT, 211-…) is one arrow labelled with its final line. Times are
 * ms since the first entry.
 */
export function layoutStory(entries: TraceEntry[]): Story {
  const rows: StoryRow[] = [];
  const start = entries.length > 0 ? Date.parse(entries[0]!.at) : 0;
  let data: Story['data'] = null;
  let relayed = false;
  let refusals = 0;
  // A directory copy's files each get a heading band where their lines begin.
  const manyFiles = new Set(entries.map((entry) => entry.path)).size > 1;
  let file: string | null = null;
  for (const entry of entries) {
    const ms = Math.max(0, Date.parse(entry.at) - start);
    if (manyFiles && entry.path !== null && entry.path !== file) {
      file = entry.path;
      rows.push({ kind: 'band', seq: entry.seq - 0.5, ms, label: file, tone: 'file' });
    }
    const kind = entry.kind;
    switch (kind) {
      case 'line': {
        const server: Lane = entry.role ?? 'source';
        if (entry.direction === 'sent') {
          rows.push({
            kind: 'arrow',
            seq: entry.seq,
            ms,
            from: 'pasv',
            to: server,
            label: entry.text,
            tone: 'command',
            path: entry.path,
          });
        } else if (/^\d{3} /.test(entry.text)) {
          const tone = toneOf(entry.text);
          if (tone === 'refusal') refusals++;
          rows.push({
            kind: 'arrow',
            seq: entry.seq,
            ms,
            from: server,
            to: 'pasv',
            label: entry.text,
            tone,
            path: entry.path,
          });
        }
        // Else a reply's first or middle line: its final line carries the arrow.
        break;
      }
      case 'data': {
        const match = DATA_OPENED.exec(entry.text);
        if (!match) break;
        const from = match[1] as Lane;
        const to = match[2] as Lane;
        data = { from, to };
        rows.push({ kind: 'data', seq: entry.seq, ms, from, to, label: entry.text });
        break;
      }
      case 'relay':
        relayed = true;
        rows.push({ kind: 'band', seq: entry.seq, ms, label: entry.text, tone: 'relay' });
        break;
      case 'note':
        rows.push({ kind: 'band', seq: entry.seq, ms, label: entry.text, tone: 'note' });
        break;
      default:
        assertNever(kind);
    }
  }
  return { rows, data, relayed, refusals };
}

const laneName: Record<Lane, string> = { source: 'source', pasv: 'pasv', destination: 'destination' };

/** A row in words, for the list that stands in for the drawing ("pasv → source: PASV"). */
export function describeRow(row: StoryRow): string {
  switch (row.kind) {
    case 'arrow':
      return `${laneName[row.from]} → ${laneName[row.to]}: ${row.label}`;
    case 'data':
      return `data: ${row.label}`;
    case 'band':
      return `${row.tone}: ${row.label}`;
    default:
      return assertNever(row);
  }
}

/** The drawing's summary for its aria-label. */
export function summarize(story: Story, name: string): string {
  const commands = story.rows.filter((row) => row.kind === 'arrow' && row.from === 'pasv').length;
  const parts = [`Sequence diagram of ${name}: ${commands} commands`];
  if (story.refusals > 0) parts.push(`${story.refusals} refused`);
  if (story.relayed) parts.push('relayed through pasv');
  else if (story.data) parts.push(`data connection between ${story.data.from} and ${story.data.to}`);
  return parts.join(', ');
}
