// One local URL (service or tag): a TCP listener that hands HTTP/1.1 connections to an http server and
// HTTP/2 prior-knowledge connections (h2c, sniffed from the client preface) to an http2 server.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';

const H2_PREFACE = 'PRI * HTTP/2.0';

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A listening URL; close() stops accepting and destroys every open connection. */
export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** Listens on `host` at an OS-chosen port. */
export function openListener(
  host: string,
  onRequest: RequestHandler,
  onUpgrade: UpgradeHandler,
): Promise<Listener> {
  // The request timeout is the router's job (spec.timeoutSeconds), not Node's defaults.
  const http1 = http.createServer({ requestTimeout: 0, keepAliveTimeout: 5000 });
  http1.on('request', onRequest);
  http1.on('upgrade', onUpgrade);
  const h2 = http2.createServer();
  h2.on('request', onRequest);
  h2.on('sessionError', () => undefined);

  const sockets = new Set<Duplex>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first.toString('latin1', 0, H2_PREFACE.length) === H2_PREFACE.slice(0, first.length)) {
        h2.emit('connection', replaying(socket, first));
        return;
      }
      socket.unshift(first);
      http1.emit('connection', socket);
      socket.resume();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

// http2 reads a net.Socket's handle directly and would miss bytes unshifted onto it, so h2c connections
// go through a stream that replays the sniffed bytes first.
function replaying(socket: net.Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, callback) => void socket.write(chunk, encoding, callback),
    final: (callback) => {
      socket.end();
      callback();
    },
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  duplex.push(first);
  socket.on('data', (chunk) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  Object.assign(duplex, { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
  return duplex;
}
