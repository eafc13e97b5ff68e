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

  publish(event: LiveEvent): void {
    this.emit('event', event);
  }
}
