// The sample app's gRPC mode: the standard health service (grpc.health.v1.Health, Check and the
// server-streaming Watch) over h2c on $PORT, the way Cloud Run runs a container whose port is named `h2c`
// (docs/platform.md, end-to-end HTTP/2). No proto files: the two tiny messages are encoded by hand.
//
// Env: PORT (required), HOST (default 127.0.0.1), K_REVISION (answered as `x-revision` metadata),
// GRPC_HEALTH_STATUS=SERVING|NOT_SERVING (default SERVING), GRPC_NO_HEALTH=1 (no health service: every
// call is UNIMPLEMENTED), GRPC_NOT_SERVING_AFTER_MS (turn NOT_SERVING that long after listening; Watch
// streams are told). SIGTERM: NOT_SERVING to every watcher, end the streams, exit 0 within a second.
import { pathToFileURL } from 'node:url';
import grpc from '@grpc/grpc-js';

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const SERVING_STATUS = Object.freeze({ UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 });

const HARD_EXIT_MS = 1000;

// ---------------------------------------------------------------------------------------------------
// The two messages, by hand: HealthCheckRequest {1: string service}, HealthCheckResponse {1: enum status}

// Protobuf base-128 varint.
function encodeVarint(value) {
  const bytes = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return bytes;
}

// Every field of a message as { number, wireType, value } (value: a number for varints, else a Buffer).
function readFields(buffer) {
  const fields = [];
  let pos = 0;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buffer.length) throw new Error('truncated varint');
      const byte = buffer[pos++];
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  };
  const take = (n) => {
    if (pos + n > buffer.length) throw new Error('truncated field');
    const slice = buffer.subarray(pos, pos + n);
    pos += n;
    return slice;
  };
  while (pos < buffer.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) fields.push({ number, wireType, value: varint() });
    else if (wireType === 1) fields.push({ number, wireType, value: take(8) });
    else if (wireType === 2) fields.push({ number, wireType, value: take(varint()) });
    else if (wireType === 5) fields.push({ number, wireType, value: take(4) });
    else throw new Error(`unsupported wire type ${wireType}`);
  }
  return fields;
}

export function encodeHealthCheckRequest({ service = '' } = {}) {
  if (service === '') return Buffer.alloc(0);
  const text = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...encodeVarint(text.length)]), text]);
}

export function decodeHealthCheckRequest(buffer) {
  let service = '';
  for (const f of readFields(buffer))
    if (f.number === 1 && f.wireType === 2) service = f.value.toString('utf8');
  return { service };
}

export function encodeHealthCheckResponse({ status = 0 } = {}) {
  return status === 0 ? Buffer.alloc(0) : Buffer.from([0x08, ...encodeVarint(status)]);
}

export function decodeHealthCheckResponse(buffer) {
  let status = 0;
  for (const f of readFields(buffer)) if (f.number === 1 && f.wireType === 0) status = f.value;
  return { status };
}

/** The service definition grpc-js takes in place of generated code. */
export const HEALTH_SERVICE = Object.freeze({
  check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
    originalName: 'Check',
  },
  watch: {
    path: '/grpc.health.v1.Health/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
    originalName: 'Watch',
  },
});

// ---------------------------------------------------------------------------------------------------
// The server (only when run, not when imported for its codec)

function readGrpcSettings(env) {
  const problems = [];
  const port = Number(env.PORT);
  if (!/^\d{1,5}$/.test(env.PORT ?? '') || port < 1 || port > 65535)
    problems.push(`PORT=${JSON.stringify(env.PORT ?? '')}: expected an integer 1..65535`);
  const statusName = env.GRPC_HEALTH_STATUS || 'SERVING';
  if (statusName !== 'SERVING' && statusName !== 'NOT_SERVING')
    problems.push(`GRPC_HEALTH_STATUS=${JSON.stringify(statusName)}: expected SERVING or NOT_SERVING`);
  const flip = env.GRPC_NOT_SERVING_AFTER_MS;
  if (flip !== undefined && flip !== '' && !/^\d{1,10}$/.test(flip))
    problems.push(`GRPC_NOT_SERVING_AFTER_MS=${JSON.stringify(flip)}: expected an integer of milliseconds`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return {
    port,
    host: env.HOST || '127.0.0.1',
    revision: env.K_REVISION || 'local',
    status: SERVING_STATUS[statusName],
    health: env.GRPC_NO_HEALTH !== '1',
    notServingAfterMs: flip ? Number(flip) : undefined,
  };
}

function main() {
  let settings;
  try {
    settings = readGrpcSettings(process.env);
  } catch (error) {
    console.error(`stream-app grpc: ${error.message}`);
    process.exit(1);
  }
  const { revision } = settings;
  let status = settings.status;
  /** Open Watch calls, each with the last status it was sent. */
  const watchers = new Map();
  const server = new grpc.Server();
  let flipTimer;

  const revisionMetadata = () => {
    const md = new grpc.Metadata();
    md.set('x-revision', revision);
    return md;
  };
  // The one service known by name is the whole server, ''; others are NOT_FOUND (Check) or
  // SERVICE_UNKNOWN (Watch), as grpc/doc/health-checking.md says.
  const statusOf = (service) => (service === '' ? status : undefined);
  const setStatus = (next) => {
    if (next === status) return;
    status = next;
    for (const [call, last] of watchers) {
      const now = statusOf(call.request.service) ?? SERVING_STATUS.SERVICE_UNKNOWN;
      if (now !== last) {
        watchers.set(call, now);
        call.write({ status: now });
      }
    }
  };

  if (settings.health) {
    server.addService(HEALTH_SERVICE, {
      check(call, callback) {
        call.sendMetadata(revisionMetadata());
        const current = statusOf(call.request.service);
        console.log(`Check ${JSON.stringify(call.request.service)} ${current ?? 'NOT_FOUND'}`);
        if (current === undefined) {
          callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        } else {
          callback(null, { status: current });
        }
      },
      watch(call) {
        call.sendMetadata(revisionMetadata());
        const current = statusOf(call.request.service) ?? SERVING_STATUS.SERVICE_UNKNOWN;
        console.log(`Watch ${JSON.stringify(call.request.service)} opened`);
        watchers.set(call, current);
        call.write({ status: current });
        const forget = () => watchers.delete(call);
        call.on('cancelled', forget);
        call.on('close', forget);
        call.on('error', forget);
      },
    });
  }

  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  server.bindAsync(`${settings.host}:${settings.port}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) {
      console.error(`stream-app grpc: cannot listen on ${settings.host}:${settings.port}: ${error.message}`);
      process.exit(1);
    }
    const what = settings.health ? `health ${status === 1 ? 'SERVING' : 'NOT_SERVING'}` : 'no health service';
    console.log(`stream-app grpc ${revision} listening on h2c ${settings.host}:${settings.port} (${what})`);
    if (settings.notServingAfterMs !== undefined) {
      flipTimer = setTimeout(() => setStatus(SERVING_STATUS.NOT_SERVING), settings.notServingAfterMs);
    }
  });

  // Cloud Run sends SIGTERM before stopping an instance: tell watchers, end their streams, drain, exit 0.
  function shutdown(signal) {
    console.log(`stream-app grpc: ${signal}: shutting down`);
    clearTimeout(flipTimer);
    setStatus(SERVING_STATUS.NOT_SERVING);
    for (const call of [...watchers.keys()]) call.end();
    watchers.clear();
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => {
      server.forceShutdown();
      process.exit(0);
    }, HARD_EXIT_MS).unref();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
