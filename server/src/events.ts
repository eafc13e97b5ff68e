/**
 * The service events the WebSocket hub fans out. Rooms below http/ emit them; only the hub
 * adds sequence numbers (per connection) and coalesces.
 */
import { EventEmitter } from 'node:events';
import type { LiveSession, LogLine, QueueState, Site, Transfer } from '../../contract/index.js';

export type ServiceEvent =
  | { type: 'transfer.updated'; transfer: Transfer }
  | { type: 'transfer.removed'; id: string }
  | { type: 'session.updated'; session: LiveSession }
  | { type: 'session.removed'; id: string }
  | { type: 'site.updated'; site: Site }
  | { type: 'site.removed'; id: string }
  | { type: 'queue.updated'; queue: QueueState }
  | ({ type: 'log' } & LogLine);

export class EventBus extends EventEmitter<{ event: [ServiceEvent] }> {
  constructor() {
    super();
    this.setMaxListeners(0); // one listener per WebSocket client
  }

  publish(event: ServiceEvent): void {
    this.emit('event', event);
  }
}
