import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';

export interface HttpsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * HTTPS on a port of its own, beside plain HTTP: the same fastify instance routes both, so every route,
 * hook and permission is the same. A client speaking plain HTTP to this port fails the TLS handshake.
 */
export async function listenHttps(
  app: FastifyInstance,
  tls: TlsOptions,
  port: number,
  host: string,
): Promise<HttpsListener> {
  await app.ready();
  const server = createServer({ ...tls, requestCert: false }, (request, response) =>
    app.routing(request, response),
  );
  server.on('tlsClientError', () => undefined); // a plain-HTTP or untrusting client: the socket just closes
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `https://${hostPart}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
