/**
 * How a leased session's control lines reach a transfer's story: the lease's holder (the
 * runner) tags it with the file it works on, and the pool hands each tagged line to the sink
 * (transfers/trace.ts), which sites/ may not import.
 */
import type { TraceRole } from '../../../contract/index.js';

/** What a leased session is working on, set by its holder (the runner): its lines go to that transfer's trace. */
export interface TraceTag {
  transferId: string;
  role: TraceRole;
  path: string;
}

/** Where tagged lines are kept (transfers/trace.ts); the line's seq there, or null when not kept. */
export interface TraceSink {
  line(
    tag: TraceTag,
    line: { sessionId: string; siteId: string; direction: 'sent' | 'received'; line: string; at: number },
  ): number | null;
}
