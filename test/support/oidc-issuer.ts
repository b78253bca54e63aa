import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** An identity provider for tests: a real ES256 key whose JWKS is served on 127.0.0.1. */
export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** A token for `subject`, signed with the issuer's key (or another, to test refusals). */
  sign(subject: string, key?: CryptoKey): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(
  issuer = 'https://login.northbridge.example/',
  audience = 'safeguarding-hub',
): Promise<TestIssuer> {
  const pair = await generateKeyPair('ES256');
  const jwks = {
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'ES256', use: 'sig' }],
  };
  const server = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    sign: (subject, key = pair.privateKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
