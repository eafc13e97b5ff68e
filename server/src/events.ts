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

  /**
   * Whether anyone outside the process is watching (a WebSocket client; the hub says). Events
   * only they read, a log line per control line and a session's state per command, need not
   * be built otherwise: on a tree of small files that is a dozen events per file.
   */
  watched: () => boolean = () => true;

  publish(event: LiveEvent): void {
    this.emit('event', event);
  }
}
