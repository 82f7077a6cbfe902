import { inertLinks } from '../../src/core/report-text';

describe('renderComment: text from the candidate cannot mention, reference, link or inject', () => {
  it('keeps the text readable: only zero-width spaces are added', () => {
    const text = 'ping @octocat about #12 at https://evil.example';
    expect(inertLinks(text).replace(/\u200B/g, '')).toBe(text);
    expect(inertLinks(text)).toBe('ping @\u200Boctocat about #\u200B12 at https:\u200B//evil.example');
  });
});
