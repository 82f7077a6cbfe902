// The share sampler over real sockets: it reads only the status and headers, so a streaming path cannot
// hold the gate, and a request whose answer never comes is counted as failed at its deadline.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleRevisions } from '../../src/adapters/revision-sampler';

let server: http.Server;
let url: string;
let served = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    served++;
    if (req.url === '/silent') return; // never answers
    const revision = served % 2 === 0 ? 'api-new' : 'api-old';
    if (req.url === '/unhealthy') {
      res.writeHead(503, { 'x-revision': revision });
      return res.end('not ready');
    }
    if (req.url === '/anonymous') {
      res.writeHead(200);
      return res.end('ok');
    }
    // A stream that never ends, as an SSE path does.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-revision': revision });
    const timer = setInterval(() => res.write('data: tick\n\n'), 50);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('a streaming path is sampled by its headers: the sample ends and counts each revision', async () => {
  const sample = await sampleRevisions(url, '/events', 20, 'api-new');
  expect(sample).toEqual({ total: 20, candidate: 10, unidentified: 0, errors: 0 });
});

test('answers without X-Revision are unidentified', async () => {
  const sample = await sampleRevisions(url, '/anonymous', 5, 'api-new');
  expect(sample).toEqual({ total: 5, candidate: 0, unidentified: 5, errors: 0 });
});

test('a failed answer the candidate gave itself says routing reaches it (the tag wait ends; the smoke test judges it)', async () => {
  const sample = await sampleRevisions(url, '/unhealthy', 10, 'api-new');
  expect(sample).toEqual({ total: 0, candidate: 0, unidentified: 0, errors: 10, candidateErrors: 5 });
});

test('a request that never gets an answer counts as failed at its deadline', async () => {
  const sample = await sampleRevisions(url, '/silent', 5, 'api-new', undefined, 200);
  expect(sample).toEqual({ total: 0, candidate: 0, unidentified: 0, errors: 5 });
});
