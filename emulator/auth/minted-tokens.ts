// Every credential the auth fakes hand out in this process (GitHub OIDC tokens, STS and IAM access tokens,
// ID tokens), so the fault suite can prove none of them reaches a log, an output, a summary or a comment.
const minted = new Set<string>();

/** Remembers a token the emulator just issued. */
export function recordMinted(token: string): string {
  minted.add(token);
  return token;
}

/** Every token issued so far by any emulator in this process. */
export function mintedTokens(): string[] {
  return [...minted];
}
