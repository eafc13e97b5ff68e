import { useState } from 'react';
import type { Lane, Story, StoryRow } from '../model/layout.js';
import { describeRow, summarize } from '../model/layout.js';

/** How many rows are drawn before "Show more": a directory copy may have thousands. */
export const ROWS_SHOWN = 200;

const WIDTH = 920;
const GUTTER = 78;
const HEAD = 44;
const ROW = 24;
const BAND_GAP = 5;
const X: Record<Lane, number> = { source: 160, pasv: 480, destination: 800 };
const LANE_TITLE: Record<Lane, string> = { source: 'source server', pasv: 'pasv', destination: 'destination server' };
/** Labels longer than this are cut (the full text is the arrow's tooltip and in the list). */
const LABEL_CHARS = 48;

function formatMs(ms: number): string {
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(2)} s`;
  return `+${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const cut = (text: string) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);

function Arrow({ row, y }: { row: Extract<StoryRow, { kind: 'arrow' }>; y: number }) {
  const x1 = X[row.from];
  const x2 = X[row.to];
  const towardsRight = x2 > x1;
  const end = x2 + (towardsRight ? -3 : 3);
  const labelX = (x1 + x2) / 2;
  return (
    <g className={`seq-arrow seq-${row.tone}`}>
      <title>{describeRow(row)}</title>
      <line x1={x1} y1={y} x2={end} y2={y} markerEnd={`url(#seq-head-${row.tone})`} />
      <text x={labelX} y={y - 5} textAnchor="middle">
        {cut(row.label)}
      </text>
    </g>
  );
}

function Row({ row, y }: { row: StoryRow; y: number }) {
  switch (row.kind) {
    case 'arrow':
      return <Arrow row={row} y={y} />;
    case 'data': {
      const [x1, x2] = [X[row.from], X[row.to]].sort((a, b) => a - b) as [number, number];
      return (
        <g className="seq-data">
          <title>{row.label}</title>
          <line x1={x1} y1={y} x2={x2} y2={y} />
          <circle cx={x1} cy={y} r={4} />
          <circle cx={x2} cy={y} r={4} />
          <text x={(x1 + x2) / 2} y={y - 5} textAnchor="middle">
            {cut(row.label.replace(/^data connection opened between \S+ and \S+ /, 'data connection ⇄ '))}
          </text>
        </g>
      );
    }
    case 'band':
      return (
        <g className={`seq-band seq-band-${row.tone}`}>
          <title>{row.label}</title>
          <rect x={GUTTER} y={y - ROW / 2 - 1} width={WIDTH - GUTTER - 8} height={ROW - 2} rx={4} />
          <text x={(GUTTER + WIDTH) / 2} y={y + 4} textAnchor="middle">
            {row.label.length > 110 ? `${row.label.slice(0, 109)}…` : row.label}
          </text>
        </g>
      );
  }
}

/**
 * The sequence diagram: three lifelines (source | pasv | destination), one row per arrow in
 * time order, relative times in the left gutter. The list below it says the same in words.
 */
export function SequenceDiagram({ story, name }: { story: Story; name: string }) {
  const [shown, setShown] = useState(ROWS_SHOWN);
  const rows = story.rows.slice(0, shown);
  // A band (a flip, the relay) gets room above and below so it reads as a break in the exchange.
  const tops: number[] = [];
  let bottom = HEAD + 4;
  for (const row of rows) {
    const gap = row.kind === 'band' ? BAND_GAP : 0;
    tops.push(bottom + gap);
    bottom += ROW + 2 * gap;
  }
  const height = bottom + 16;
  const tones = ['command', 'ok', 'waiting', 'refusal'] as const;
  return (
    <div className="seq">
      <svg
        className="seq-svg"
        role="img"
        aria-label={summarize(story, name)}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
      >
        <defs>
          {tones.map((tone) => (
            <marker
              key={tone}
              id={`seq-head-${tone}`}
              className={`seq-head seq-${tone}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0 0L10 5L0 10z" />
            </marker>
          ))}
        </defs>
        {(Object.keys(X) as Lane[]).map((lane) => (
          <g key={lane} className={`seq-lane seq-lane-${lane}`}>
            <line x1={X[lane]} y1={HEAD - 8} x2={X[lane]} y2={height - 4} />
            <rect x={X[lane] - 78} y={4} width={156} height={HEAD - 16} rx={6} />
            <text x={X[lane]} y={HEAD - 17} textAnchor="middle">
              {LANE_TITLE[lane]}
            </text>
          </g>
        ))}
        {rows.map((row, index) => {
          const y = tops[index]! + ROW / 2;
          return (
            <g key={row.seq}>
              <text className="seq-time" x={8} y={y + 4}>
                {formatMs(row.ms)}
              </text>
              <Row row={row} y={y} />
            </g>
          );
        })}
      </svg>
      {story.rows.length > shown && (
        <button type="button" className="btn btn-secondary seq-more" onClick={() => setShown((n) => n + ROWS_SHOWN)}>
          Show more ({story.rows.length - shown} more rows)
        </button>
      )}
      <ol className="sr-only" aria-label="The story as text">
        {story.rows.map((row) => (
          <li key={row.seq}>{describeRow(row)}</li>
        ))}
      </ol>
    </div>
  );
}
