// The run context from the runner's environment and event file: on pull request events the head commit
// comes from `pull_request.head.sha`, because GITHUB_SHA is the merge commit there
// (docs/platform.md "Pull request head SHA").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunContext } from '../../src/adapters/github-context';

const HEAD = 'feedfacefeedfacefeedfacefeedfacefeedface';
const MERGE = '0123456789abcdef0123456789abcdef01234567';
const dir = mkdtempSync(join(tmpdir(), 'github-context-'));

function contextFor(event: unknown, eventName: string) {
  const path = join(dir, `${eventName}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof event === 'string' ? event : JSON.stringify(event));
  return readRunContext({
    GITHUB_EVENT_PATH: path,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_SHA: MERGE,
    GITHUB_REPOSITORY: 'acme/streams',
  });
}

test.each([
  ['pull_request', { pull_request: { number: 12, head: { sha: HEAD } } }, 12, HEAD],
  ['pull_request_target', { pull_request: { number: 13, head: { sha: HEAD.toUpperCase() } } }, 13, HEAD],
  ['push', { ref: 'refs/heads/main', after: MERGE }, undefined, undefined],
  ['pull_request', { pull_request: { number: 14, head: { sha: 'not-a-sha' } } }, 14, undefined],
  ['pull_request', '{ not json', undefined, undefined],
] as const)('%s event %j: pull request %s, head %s', (eventName, event, pullRequest, headSha) => {
  const context = contextFor(event, eventName);
  expect(context.pullRequest).toBe(pullRequest);
  expect(context.headSha).toBe(headSha);
  expect(context.sha).toBe(MERGE);
});
