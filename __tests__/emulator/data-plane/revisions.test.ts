import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Faults } from '../../../emulator/faults';
import { createDataPlane, type EmulatorDataPlane } from '../../../emulator/data-plane/data-plane';
import {
  loadImageCatalogue,
  imageDigest,
  resolveImage,
  type ImageCatalogue,
} from '../../../emulator/data-plane/image-catalogue';
import {
  FIXTURE_IMAGE,
  SERVICE,
  allowAll,
  fixtureCatalogue,
  isAlive,
  openSocket,
  readEvents,
  routing,
  spec,
  waitUntil,
} from './harness';
import { limiter } from '../../support/concurrent-cases';

// The starts run side by side here have a 5 s deadline: four at once took up to 1.8 s on a loaded 2-CPU
// machine with two busy loops beside them; more would come closer to it.
const startSlot = limiter(4);

// Each case starts its own data plane and closes it when it ends (afterEach hooks do not run for
// concurrent cases), so the cases of a block run side by side, but for those that check dp.pids() or need
// a start to beat a deadline under 5 s.
async function isolated(
  fn: (newPlane: (catalogue?: ImageCatalogue) => EmulatorDataPlane) => Promise<void>,
): Promise<void> {
  const planes: EmulatorDataPlane[] = [];
  try {
    await fn((catalogue = fixtureCatalogue) => {
      const plane = createDataPlane({ faults: new Faults(), catalogue, invokerCheck: allowAll });
      const startRevision = plane.startRevision.bind(plane);
      plane.startRevision = (revision) => startSlot(() => startRevision(revision));
      planes.push(plane);
      return plane;
    });
  } finally {
    await Promise.all(planes.map((plane) => plane.close()));
  }
}

describe('image catalogue', () => {
  it.each([
    ['repository without tag -> default tag', FIXTURE_IMAGE, {}],
    ['tag', `${FIXTURE_IMAGE}:v2`, { GREETING: 'v2' }],
    ['pinned digest -> its tag', `${FIXTURE_IMAGE}@sha256:${'a'.repeat(64)}`, { GREETING: 'v1' }],
    ['unlisted digest of a known repository -> default tag', `${FIXTURE_IMAGE}@sha256:${'b'.repeat(64)}`, {}],
    ['tag and its own digest', `${FIXTURE_IMAGE}:v1@sha256:${'a'.repeat(64)}`, { GREETING: 'v1' }],
  ])('resolves %s', (_name, ref, env) => {
    const image = resolveImage(fixtureCatalogue, ref);
    expect(image?.env).toEqual(env);
    expect(image?.argv).toEqual([process.execPath, 'stream-server.mjs']);
  });

  it.each([
    ['unknown repository', 'fixture.local/streams/other:v1'],
    ['unknown tag', `${FIXTURE_IMAGE}:v9`],
    ['malformed digest', `${FIXTURE_IMAGE}@sha256:1234`],
    ['tag contradicting its pinned digest', `${FIXTURE_IMAGE}:v2@sha256:${'a'.repeat(64)}`],
  ])('rejects %s', (_name, ref) => {
    expect(resolveImage(fixtureCatalogue, ref)).toBeUndefined();
  });

  it('applies container command/args overrides like Docker ENTRYPOINT/CMD', () => {
    expect(resolveImage(fixtureCatalogue, FIXTURE_IMAGE, { args: ['other.mjs'] })?.argv).toEqual([
      process.execPath,
      'other.mjs',
    ]);
    expect(resolveImage(fixtureCatalogue, FIXTURE_IMAGE, { command: ['/bin/true'] })?.argv).toEqual([
      '/bin/true',
    ]);
  });

  it('loads emulator/images.json with the sample app and digests for every non-default tag', () => {
    const catalogue = loadImageCatalogue();
    const repo = catalogue.repositories['us-docker.pkg.dev/demo/streams/stream-app'];
    expect(repo).toBeDefined();
    expect(catalogue.root).toBe(path.resolve(catalogue.root));
    const resolved = resolveImage(catalogue, 'us-docker.pkg.dev/demo/streams/stream-app:crash');
    expect(resolved?.env.STREAM_APP_FAULT).toBe('crash-on-start');
    for (const [tag, entry] of Object.entries(repo.tags)) {
      if (entry.digest)
        expect(
          resolveImage(catalogue, `us-docker.pkg.dev/demo/streams/stream-app@${entry.digest}`)?.env,
        ).toEqual(entry.env);
      else expect(tag).toBe('latest');
    }
  });

  it('resolves a tag to the digest a revision records, and that digest back to the same image', () => {
    const catalogue = loadImageCatalogue();
    const repo = 'us-docker.pkg.dev/demo/streams/stream-app';
    const pinned = catalogue.repositories[repo].tags.v2.digest!;
    expect(imageDigest(catalogue, `${repo}:v2`)).toBe(`${repo}@${pinned}`);
    // `latest` has no pinned digest: a stable one is derived, and it resolves to `latest`, not another tag.
    const latest = imageDigest(catalogue, repo)!;
    expect(latest).toMatch(new RegExp(`^${repo}@sha256:[0-9a-f]{64}$`));
    expect(imageDigest(catalogue, `${repo}:latest`)).toBe(latest);
    expect(resolveImage(catalogue, latest)?.env).toEqual(resolveImage(catalogue, `${repo}:latest`)?.env);
    expect(imageDigest(catalogue, `${repo}:no-such-tag`)).toBeUndefined();
  });
});

describe('startRevision', () => {
  it.concurrent(
    'is ready once the instance accepts connections, and the app sees PORT and the K_* variables',
    () =>
      isolated(async (newPlane) => {
        const dp = newPlane();
        await expect(dp.startRevision(spec('api-00001-aaa'))).resolves.toEqual({ ready: true });
        expect(dp.instances(SERVICE, 'api-00001-aaa')).toHaveLength(1);
        const urls = await dp.route(routing({ split: [{ revision: 'api-00001-aaa', percent: 100 }] }));
        const [event] = await readEvents(urls.uri, 1);
        expect(event).toMatchObject({
          revision: 'api-00001-aaa',
          service: 'api',
          configuration: 'api',
          greeting: 'v1',
        });
        expect(dp.logs(SERVICE, 'api-00001-aaa').join('\n')).toContain(
          '[api/api-00001-aaa#1] fixture listening on',
        );
      }),
  );

  it.concurrent('starts minInstances instances', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      await expect(dp.startRevision(spec('api-00001-min', { minInstances: 2 }))).resolves.toEqual({
        ready: true,
      });
      expect(dp.instances(SERVICE, 'api-00001-min')).toHaveLength(2);
    }),
  );

  it.concurrent(
    'fails with CONTAINER_MISSING and Cloud Run\'s "Image … not found." for an image the catalogue lacks',
    () =>
      isolated(async (newPlane) => {
        const dp = newPlane();
        const result = await dp.startRevision(spec('api-00002-bbb', { image: `${FIXTURE_IMAGE}:nope` }));
        expect(result).toEqual({
          ready: false,
          reason: 'CONTAINER_MISSING',
          message: `Image '${FIXTURE_IMAGE}:nope' not found.`,
        });
      }),
  );

  // Serial: the exit must be seen within its 1.5 s deadline, so this start runs alone.
  it('fails with HEALTH_CHECK_CONTAINER_ERROR and the last output lines when the process exits first', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      const result = await dp.startRevision(
        spec('api-00003-ccc', { image: `${FIXTURE_IMAGE}:crash`, startupDeadlineMs: 1500 }),
      );
      expect(result.ready).toBe(false);
      if (result.ready) return;
      expect(result.reason).toBe('HEALTH_CHECK_CONTAINER_ERROR');
      expect(result.message).toContain(
        'The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable',
      );
      expect(result.message).toContain('exited with code 3');
      expect(result.message).toContain('refusing to start (crash-on-start)');
      expect(dp.logs(SERVICE, 'api-00003-ccc').join('\n')).toContain('refusing to start');
    }));

  // Serial: dp.pids() counts the instances of every plane in this process.
  it('fails with HEALTH_CHECK_CONTAINER_ERROR and kills the process when nothing listens by the deadline', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      const result = await dp.startRevision(
        spec('api-00004-ddd', {
          image: `${FIXTURE_IMAGE}:never-listen`,
          startupDeadlineMs: 1500,
          containerPort: 9000,
        }),
      );
      expect(result).toMatchObject({ ready: false, reason: 'HEALTH_CHECK_CONTAINER_ERROR' });
      if (!result.ready) expect(result.message).toContain('PORT=9000');
      expect(dp.instances(SERVICE, 'api-00004-ddd')).toHaveLength(0);
      expect(dp.pids()).toHaveLength(0);
    }));

  // Serial: the slow start must listen within its 3 s deadline, so it runs alone.
  it('is ready when a slow start still listens within the deadline', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      const result = await dp.startRevision(
        spec('api-00005-eee', { image: `${FIXTURE_IMAGE}:slow`, startupDeadlineMs: 3000 }),
      );
      expect(result).toEqual({ ready: true });
    }));
});

describe('process lifecycle', () => {
  // Serial: dp.pids() counts the instances of every plane in this process.
  it('stopRevision and close() kill every instance process', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00006-fff', { minInstances: 2 }));
      await dp.startRevision(spec('api-00007-ggg'));
      const stopped = dp.instances(SERVICE, 'api-00006-fff').map((i) => i.pid!);
      const kept = dp.instances(SERVICE, 'api-00007-ggg').map((i) => i.pid!);
      expect([...stopped, ...kept].every(isAlive)).toBe(true);

      await dp.stopRevision(SERVICE, 'api-00006-fff');
      expect(stopped.some(isAlive)).toBe(false);
      expect(kept.every(isAlive)).toBe(true);

      await dp.close();
      expect(kept.some(isAlive)).toBe(false);
      expect(dp.pids()).toEqual([]);
    }));

  it.concurrent('removeService closes the URLs and kills the instances', () =>
    isolated(async (newPlane) => {
      const dp = newPlane();
      await dp.startRevision(spec('api-00008-hhh'));
      const pids = dp.instances(SERVICE, 'api-00008-hhh').map((i) => i.pid!);
      const urls = await dp.route(routing({ split: [{ revision: 'api-00008-hhh', percent: 100 }] }));
      await dp.removeService(SERVICE);
      expect(pids.some(isAlive)).toBe(false);
      await expect(fetch(urls.uri)).rejects.toThrow();
    }),
  );
});

describe('orphans', () => {
  it('instances die with the emulator process even when it is SIGKILLed', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures', 'doomed-parent.ts')],
      {
        cwd: path.resolve(here, '..', '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const [line] = (await once(readline.createInterface({ input: parent.stdout! }), 'line')) as [string];
      const report = JSON.parse(line) as { result: unknown; pids: number[] };
      expect(report.result).toEqual({ ready: true });
      expect(report.pids).toHaveLength(2);
      // Each instance is a process group (the app and anything it starts), killed by the reaper.
      expect(report.pids.every((pid) => isAlive(-pid))).toBe(true);
      parent.kill('SIGKILL');
      await waitUntil(() => report.pids.every((pid) => !isAlive(-pid)));
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('the real sample app through emulator/images.json', () => {
  it.concurrent('starts v2 and streams events naming its revision', () =>
    isolated(async (newPlane) => {
      const plane = newPlane(loadImageCatalogue());
      const result = await plane.startRevision(
        spec('api-00009-iii', {
          image: 'us-docker.pkg.dev/demo/streams/stream-app:v2',
          env: { TICK_MS: '30' },
        }),
      );
      expect(result).toEqual({ ready: true });
      const urls = await plane.route(routing({ split: [{ revision: 'api-00009-iii', percent: 100 }] }));
      const events = await readEvents(urls.uri, 2);
      expect(events.map((e) => e.revision)).toEqual(['api-00009-iii', 'api-00009-iii']);
      const socket = await openSocket(`${urls.uri}/ws`);
      try {
        socket.ws.send('ping');
        await expect(socket.next((m) => m === 'echo:ping')).resolves.toBe('echo:ping');
        const tick = JSON.parse(await socket.next((m) => m.startsWith('{'))) as { revision: string };
        expect(tick.revision).toBe('api-00009-iii');
      } finally {
        socket.ws.terminate();
      }
    }),
  );

  it.concurrent('fails crash-on-start with HEALTH_CHECK_CONTAINER_ERROR', () =>
    isolated(async (newPlane) => {
      const plane = newPlane(loadImageCatalogue());
      const result = await plane.startRevision(
        spec('api-00010-jjj', {
          image: 'us-docker.pkg.dev/demo/streams/stream-app:crash',
          startupDeadlineMs: 3000,
        }),
      );
      expect(result).toMatchObject({ ready: false, reason: 'HEALTH_CHECK_CONTAINER_ERROR' });
    }),
  );
});
