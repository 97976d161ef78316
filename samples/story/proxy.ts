// A TCP proxy on 127.0.0.1 that can hold a connection's first bytes back: the slow network hop of the story.
import net from 'node:net';

export interface DelayingProxy {
  url: string;
  /** The next connection's request waits this long before it is passed on. */
  delayNext(ms: number): void;
  close(): Promise<void>;
}

export function startDelayingProxy(target: { host: string; port: number }): Promise<DelayingProxy> {
  let pending = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const delay = pending;
    pending = 0;
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
    upstream.pipe(client);
    if (delay === 0) client.pipe(upstream);
    else {
      client.pause();
      setTimeout(() => (client.pipe(upstream), client.resume()), delay).unref();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        delayNext: (ms) => void (pending = ms),
        close: () => new Promise<void>((done) => {
          for (const s of sockets) s.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
