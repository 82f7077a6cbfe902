// What the sample streaming app's tests share (__tests__/examples/stream-app.test.ts and
// stream-app-faults.test.ts): the K_* variables Cloud Run sets, readers of the SSE items the app sends,
// and startApp() through a limiter.
import { startApp as startAppNow } from '../examples/app-process';
import type { SseItem } from '../examples/stream-clients';
import { limiter } from './concurrent-cases';

export const REVISION = 'hello-00002-abc';
export const BASE_ENV = {
  K_SERVICE: 'hello',
  K_REVISION: REVISION,
  K_CONFIGURATION: 'hello',
};

export const dataOf = (item: SseItem) =>
  JSON.parse(item.data ?? 'null') as { seq: number; revision: string; sentAt: number };
export const eventCount = (n: number) => (items: SseItem[]) =>
  items.filter((i) => i.kind === 'event').length >= n;

// The cases run side by side; at most two of their apps start at once (support/concurrent-cases.ts). The
// apps only spawned (never waited for to listen) have no start deadline to miss. Jest loads this module
// afresh for each test file, so each file has a limiter of its own.
const starts = limiter(2);
export const startApp = (env: Record<string, string>) => starts(() => startAppNow(env));
