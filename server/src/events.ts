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
