import { inputsWithProblems, parse, problemsOf, svc } from './fixtures';

describe('parseInputs: target', () => {
  // docs/platform.md "Service id": starts with a letter, letters/digits/`-`, under 50 characters.
  it.each([
    ['api', true],
    ['a', true],
    ['stream-api-2', true],
    ['a'.repeat(49), true],
    ['a'.repeat(50), false],
    ['2api', false],
    ['-api', false],
    ['api-', false],
    ['my_api', false],
    ['Api', false],
    ['api.v2', false],
  ])('service id %j valid: %s', (service, valid) => {
    // Long names also trip the tag's 46-character rule, tested below; only `service` matters here.
    expect(inputsWithProblems({ service, tag: 't', revision_suffix: 'v' }).includes('service')).toBe(!valid);
  });

  it('a service id of 46 or more characters leaves no room for any tag (docs/platform.md "Tag")', () => {
    expect(inputsWithProblems({ service: svc(45), tag: 't', revision_suffix: 'v' })).toEqual([]);
    expect(problemsOf({ service: svc(46), tag: 't', revision_suffix: 'v' })).toEqual([
      { input: 'tag', message: expect.stringContaining('expected a shorter `service` id') },
    ]);
  });

  it.each([
    ['us-central1', true],
    ['europe-west4', true],
    ['northamerica-northeast1', true],
    ['us-central', false],
    ['US-CENTRAL1', false],
    ['us_central1', false],
    ['us-central1-a', false],
  ])('region %j valid: %s', (region, valid) => {
    expect(inputsWithProblems({ region })).toEqual(valid ? [] : ['region']);
  });

  it.each([
    ['my-project', true, ''],
    ['example.com:my-project', true, ''],
    ['123456789012', false, 'is a project number, not a project id'],
    ['My-Project', false, 'is not a project id'],
    ['proj', false, 'is not a project id'],
    ['my-project-', false, 'is not a project id'],
  ])('project id %j valid: %s', (project_id, valid, wrong) => {
    const problems = problemsOf({ project_id });
    expect(problems.map((p) => p.input)).toEqual(valid ? [] : ['project_id']);
    if (!valid) expect(problems[0].message).toContain(wrong);
  });

  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  it.each([
    ['us-docker.pkg.dev/my-project/repo/api:1.2.3'],
    [`us-docker.pkg.dev/my-project/repo/api@${digest}`],
    [`us-docker.pkg.dev/my-project/repo/api:1.2.3@${digest}`],
    ['europe-west4-docker.pkg.dev/p/r/group/api'],
    ['gcr.io/my-project/api:latest'],
    ['docker.io/library/nginx:1.27'],
    ['ghcr.io/acme/stream_app__x:V1_2.3-rc'],
    ['mirror.gcr.io/library/nginx'],
    ['index.docker.io/library/nginx'],
    ['registry.example.com/team/api:' + 'x'.repeat(128)],
  ])('accepts image %s', (image) => {
    expect(parse({ image }).image).toBe(image);
  });

  // cloud.google.com/run/docs/deploying "Supported container registries and images"; docs/platform.md
  // "Limits on inputs": Google's servers cannot reach this machine, an IP address or a private `host:port`.
  it.each([
    ['localhost:5000/api:dev', '`localhost:5000` is this machine'],
    ['localhost/api:dev', '`localhost` is this machine'],
    ['127.0.0.1:5000/team/api', '`127.0.0.1:5000` is an IP address'],
    ['10.0.0.7/team/api', '`10.0.0.7` is an IP address'],
    [
      'registry.example.com:8443/team/api:1',
      '`registry.example.com:8443` is a private registry with its own port',
    ],
  ])('refuses image %j, naming the registries Cloud Run pulls from', (image, why) => {
    const problems = problemsOf({ image });
    expect(problems).toEqual([{ input: 'image', message: expect.stringContaining(why) }]);
    expect(problems[0].message).toContain('cannot be pulled by Cloud Run');
    for (const registry of ['Artifact Registry', 'Container Registry', 'Docker Hub', 'remote repository'])
      expect(problems[0].message).toContain(registry);
  });

  it.each([
    ['us-docker.pkg.dev/p/r/api:1', false],
    ['gcr.io/p/api', false],
    ['eu.gcr.io/p/api', false],
    ['docker.io/library/nginx', false],
    ['ghcr.io/acme/api:1', false],
    ['quay.io/acme/api:1', true],
    ['registry.example.com/team/api', true],
  ])('image %s warns that Cloud Run may not pull from its registry: %s', (image, warns) => {
    expect(parse({ image }).inputWarnings).toEqual(
      warns
        ? [expect.stringMatching(/^`image`: `[a-z.]+` is not a registry Cloud Run pulls from directly/)]
        : [],
    );
  });

  it.each([
    ['https://us-docker.pkg.dev/p/r/api:1', 'starts with `https://`'],
    ['us-docker.pkg.dev/p/r/api: 1', 'contains whitespace'],
    ['us-docker.pkg.dev/p/Repo/api:1', 'uppercase letters in its repository path ("Repo")'],
    ['api:1', 'has no registry host'],
    ['nginx', 'has no registry host (Cloud Run would look for it on Docker Hub; write `docker.io/…`'],
    ['library/nginx:latest', 'has no registry host'],
    ['us-docker.pkg.dev/p/r/api:-bad', 'invalid tag "-bad"'],
    ['us-docker.pkg.dev/p/r/api:' + 'x'.repeat(129), 'invalid tag'],
    ['us-docker.pkg.dev/p/r/api@sha256:abc', 'malformed digest'],
    [`us-docker.pkg.dev/p/r/api@${digest.toUpperCase()}`, 'malformed digest'],
    ['us-docker.pkg.dev/p//api:1', 'empty path component'],
    ['us-docker.pkg.dev/p/r/api-:1', 'invalid path component "api-"'],
    ['us-docker.pkg.dev/p/api:1', 'too short for Artifact Registry'],
  ])('refuses image %j: %s', (image, wrong) => {
    const problems = problemsOf({ image });
    expect(problems).toEqual([{ input: 'image', message: expect.stringContaining(wrong) }]);
    expect(problems[0].message).toContain(
      'expected a full image reference such as `us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`',
    );
  });
});
