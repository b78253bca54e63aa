import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP hop to a server (NATS, PostgreSQL) that a test can cut, as a network failure would:
 * `url` is the target's URL with the hop's port; `cut()` closes the hop and every connection
 * through it.
 */
export async function tcpProxy(target: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: local } = server.address() as AddressInfo;
  return {
    url: Object.assign(new URL(target), { host: `127.0.0.1:${local}` }).toString(),
    cut() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
