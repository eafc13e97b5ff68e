import type { Story } from '../model/layout.js';

/**
 * RFC 478's figure: the controller (pasv) on top with a control connection to each server,
 * and the data connection once it opens, between the two servers (FXP) or through pasv (relay).
 */
export function Rfc478Figure({
  story,
  sourceName,
  destinationName,
}: {
  story: Story;
  sourceName: string;
  destinationName: string;
}) {
  const relay = story.relayed || story.data?.from === 'pasv';
  const data = story.data;
  const label = data
    ? relay
      ? 'data: through pasv (relay)'
      : 'data connection between the servers'
    : 'no data connection yet';
  return (
    <svg
      className="rfc478"
      role="img"
      aria-label={`Control connections from pasv to ${sourceName} and ${destinationName}; ${label}`}
      viewBox="0 0 520 170"
      width={520}
      height={170}
    >
      <g className="rfc478-control">
        <line x1={260} y1={48} x2={110} y2={118} />
        <line x1={260} y1={48} x2={410} y2={118} />
        <text x={160} y={78} textAnchor="end">
          control
        </text>
        <text x={360} y={78} textAnchor="start">
          control
        </text>
      </g>
      {data && !relay && (
        <g className="rfc478-data">
          <line x1={180} y1={140} x2={340} y2={140} />
          <text x={260} y={132} textAnchor="middle">
            data
          </text>
        </g>
      )}
      {data && relay && (
        <g className="rfc478-data">
          <path d="M150 118 Q 260 70 260 50 M260 50 Q 260 70 370 118" fill="none" />
          <text x={260} y={100} textAnchor="middle">
            data (relay)
          </text>
        </g>
      )}
      <g className="rfc478-node rfc478-pasv">
        <rect x={190} y={12} width={140} height={36} rx={8} />
        <text x={260} y={35} textAnchor="middle">
          pasv (controller)
        </text>
      </g>
      <ServerNode x={40} role="source" site={sourceName} />
      <ServerNode x={340} role="destination" site={destinationName} />
    </svg>
  );
}

/** One of the two servers at the figure's foot: its role, and under it the site's name. */
function ServerNode({ x, role, site }: { x: number; role: string; site: string }) {
  const middle = x + 70;
  return (
    <g className="rfc478-node">
      <rect x={x} y={118} width={140} height={40} rx={8} />
      <text x={middle} y={135} textAnchor="middle">
        {role}
      </text>
      <text className="rfc478-site" x={middle} y={150} textAnchor="middle">
        {site}
      </text>
    </g>
  );
}
