// What each sample service returns when started, and how a node:http handler is put on a loopback port.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SampleService {
  name: string;
  url: string;
  close(): Promise<void>;
}

export function listen(name: string, handler: RequestListener, port = 0): Promise<SampleService> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        name,
        url: `http://127.0.0.1:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
