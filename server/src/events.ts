/**
 * The service events the WebSocket hub fans out. Rooms below http/ emit them; only the hub
 * adds sequence numbers (per connection). Transfer progress arrives already throttled by
 * transfers/; the hub coalesces the rest.
 */
import { EventEmitter } from 'node:events';
import type { LiveEvent } from '../../contract/index.js';

export class EventBus extends EventEmitter<{ event: [LiveEvent] }> {
  constructor() {
    super();
    this.setMaxListeners(0); // one listener per WebSocket client
  }

  private watchers = 0;

  /**
   * Someone reads the events only people watch: a log line per control line and a session's
   * state per command (a WebSocket client, a test or bench recording the log). Unwatched they
   * are not built at all: on a tree of small files that is a dozen events per file.
   * Returns the call that stops watching.
   */
  watch(): () => void {
    this.watchers++;
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      this.watchers--;
    };
  }

  get watched(): boolean {
    return this.watchers > 0;
  }

  publish(event: LiveEvent): void {
    this.emit('event', event);
  }
}

/** The key under which newer events replace older ones; null: every one goes (log lines, trace entries). */
export function coalescingKey(event: LiveEvent): string | null {
  switch (event.type) {
    case 'transfer.updated':
      return `transfer:${event.transfer.id}`;
    case 'transfer.removed':
      return `transfer:${event.id}`;
    case 'session.updated':
      return `session:${event.session.id}`;
    case 'session.removed':
      return `session:${event.id}`;
    case 'site.updated':
      return `site:${event.site.id}`;
    case 'site.removed':
      return `site:${event.id}`;
    case 'queue.updated':
      return 'queue';
    case 'job.updated':
      return `job:${event.job.id}`;
    case 'job.removed':
      return `job:${event.id}`;
    case 'run.updated':
      return `run:${event.run.id}`;
    case 'route.updated':
      return `route:${event.route.sourceSiteId}:${event.route.destinationSiteId}`;
    case 'route.forgotten':
      return `route:${event.sourceSiteId}:${event.destinationSiteId}`;
    case 'log':
    case 'trace.event':
      return null;
  }
}
