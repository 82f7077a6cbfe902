// Releases for the GitHub REST fake (github-fake.ts): create, list, get by tag, get the latest. Shapes
// and errors follow docs.github.com/rest/releases/releases: 201 with the release on create, 422
// `already_exists` on `tag_name` when the tag already has a release, the request schema's 422 for a
// missing or mistyped field. No git here: the tag is taken as given (GitHub would create a missing tag
// from `target_commitish`; the release script pushes its tags before it creates the release).
import type { Answer, Call, Route } from './route';
import { formatTime, invalidRequest, notFound, paginate, readBody, validationFailed } from './github-wire';

const DOCS = 'https://docs.github.com/rest/releases/releases';
/** `make_latest` is a string enum, not a boolean. */
const MAKE_LATEST = ['true', 'false', 'legacy'];

export interface ReleaseFakeContext {
  /** `owner/repo`. */
  repository: string;
  /** The identity the job token acts as, shown as `author`. */
  author: Record<string, unknown>;
  now: () => Date;
  nextId: () => number;
  nodeId: (kind: string, id: number) => string;
}

/** A release as the fake's test helper shows it. */
export interface ReleaseView {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  /** Whether GET /releases/latest answers with this release. */
  latest: boolean;
}

interface Release {
  id: number;
  tag: string;
  target: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created: Date;
  published: Date | null;
}

/** The release routes and their state, for `createGitHubFake` to mount. */
export function createReleaseRoutes(ctx: ReleaseFakeContext): { routes: Route[]; releases(): ReleaseView[] } {
  const releases: Release[] = [];
  let latestId: number | undefined;
  const htmlBase = `https://github.com/${ctx.repository}`;

  const render = (r: Release, api: string) => {
    const url = `${api}/repos/${ctx.repository}/releases/${r.id}`;
    return {
      url,
      html_url: r.draft
        ? `${htmlBase}/releases/tag/untagged-${r.id.toString(16)}`
        : `${htmlBase}/releases/tag/${encodeURIComponent(r.tag)}`,
      assets_url: `${url}/assets`,
      upload_url: `https://uploads.github.com/repos/${ctx.repository}/releases/${r.id}/assets{?name,label}`,
      tarball_url: `${api}/repos/${ctx.repository}/tarball/${r.tag}`,
      zipball_url: `${api}/repos/${ctx.repository}/zipball/${r.tag}`,
      id: r.id,
      node_id: ctx.nodeId('RE', r.id),
      tag_name: r.tag,
      target_commitish: r.target,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      created_at: formatTime(r.created),
      published_at: r.published ? formatTime(r.published) : null,
      author: ctx.author,
      assets: [],
    };
  };
  const field = <T>(
    body: Record<string, unknown>,
    name: string,
    type: 'string' | 'boolean',
  ): T | undefined => {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== type)
      throw invalidRequest(
        `${DOCS}#create-a-release`,
        `For 'properties/${name}', ${JSON.stringify(v)} is not a ${type}.`,
      );
    return v as T;
  };
  const byTag = (tag: string) => releases.find((r) => r.tag === tag);
  const R = '^/repos/([^/]+)/([^/]+)';

  const routes: Route[] = [
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/releases$`),
      method: 'repos.listReleases',
      needs: [['contents', 'read']],
      docs: `${DOCS}#list-releases`,
      run: (call: Call): Answer => {
        const items = releases.slice().reverse();
        const { page, link } = paginate(items, call.query, call.self);
        return { status: 200, body: page.map((r) => render(r, call.api)), headers: link ? { link } : {} };
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/releases/latest$`),
      method: 'repos.getLatestRelease',
      needs: [['contents', 'read']],
      docs: `${DOCS}#get-the-latest-release`,
      run: (call: Call): Answer => {
        const r = releases.find((x) => x.id === latestId);
        if (!r) throw notFound(`${DOCS}#get-the-latest-release`);
        return { status: 200, body: render(r, call.api) };
      },
    },
    {
      verb: 'GET',
      pattern: new RegExp(`${R}/releases/tags/(.+)$`),
      method: 'repos.getReleaseByTag',
      needs: [['contents', 'read']],
      docs: `${DOCS}#get-a-release-by-tag-name`,
      run: (call: Call): Answer => {
        const r = byTag(decodeURIComponent(call.params[0]));
        // Drafts have no tag yet as far as this endpoint is concerned.
        if (!r || r.draft) throw notFound(`${DOCS}#get-a-release-by-tag-name`);
        return { status: 200, body: render(r, call.api) };
      },
    },
    {
      verb: 'POST',
      pattern: new RegExp(`${R}/releases$`),
      method: 'repos.createRelease',
      needs: [['contents', 'write']],
      docs: `${DOCS}#create-a-release`,
      run: async (call: Call): Promise<Answer> => {
        const docs = `${DOCS}#create-a-release`;
        const input = await readBody(call.req);
        if (input.tag_name === undefined || input.tag_name === null)
          throw invalidRequest(docs, `"tag_name" wasn't supplied.`);
        const tag = field<string>(input, 'tag_name', 'string')!;
        const makeLatest = field<string>(input, 'make_latest', 'string') ?? 'true';
        if (!MAKE_LATEST.includes(makeLatest))
          throw invalidRequest(
            docs,
            `For 'properties/make_latest', ${JSON.stringify(makeLatest)} is not a member of ${JSON.stringify(MAKE_LATEST)}.`,
          );
        const draft = field<boolean>(input, 'draft', 'boolean') ?? false;
        const prerelease = field<boolean>(input, 'prerelease', 'boolean') ?? false;
        const name = field<string>(input, 'name', 'string') ?? null;
        const body = field<string>(input, 'body', 'string') ?? null;
        const target = field<string>(input, 'target_commitish', 'string') ?? 'main';
        if (tag.trim() === '')
          throw validationFailed(docs, { resource: 'Release', code: 'missing_field', field: 'tag_name' });
        if (byTag(tag))
          throw validationFailed(docs, { resource: 'Release', code: 'already_exists', field: 'tag_name' });
        const t = ctx.now();
        const r: Release = {
          id: ctx.nextId(),
          tag,
          target,
          name,
          body,
          draft,
          prerelease,
          created: t,
          published: draft ? null : t,
        };
        releases.push(r);
        // "Drafts and prereleases cannot be set as latest"; `legacy` (by creation date and version) is taken
        // as this newest release.
        if (!draft && !prerelease && makeLatest !== 'false') latestId = r.id;
        const rendered = render(r, call.api);
        return { status: 201, body: rendered, headers: { location: rendered.url } };
      },
    },
  ];

  return {
    routes,
    releases: () =>
      releases.map((r) => ({
        id: r.id,
        tag_name: r.tag,
        target_commitish: r.target,
        name: r.name,
        body: r.body,
        draft: r.draft,
        prerelease: r.prerelease,
        latest: r.id === latestId,
      })),
  };
}
