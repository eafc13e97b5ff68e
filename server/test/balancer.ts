/**
 * A TCP load balancer for tests: each new connection goes to the first backend that accepts
 * it, so when a node dies its clients' reconnects land on the next one, as behind a real one.
 */
import net from 'node:net';

export interface Balancer {
  /** host:port to point clients at (and to allow as a Host header). */
  readonly host: string;
  /** Backend URLs (http://host:port), tried in order; push as nodes come up. */
  readonly backends: string[];
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  const backends: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    track(client);
    client.pause();
    void (async () => {
      for (const backend of backends) {
        const { hostname, port } = new URL(backend);
        const upstream = await new Promise<net.Socket | null>((resolve) => {
          const socket = net.connect(Number(port), hostname, () => resolve(socket));
          socket.once('error', () => resolve(null));
        });
        if (!upstream) continue;
        track(upstream);
        client.pipe(upstream).pipe(client);
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.resume();
        return;
      }
      client.destroy();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    backends,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
