import { ConfigError } from '@hub/kit';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, oidcSettings, subgraphUrls } from './config.js';

describe('loadGatewayConfig', () => {
  it('defaults to the embedded hub on this machine', () => {
    const config = loadGatewayConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(subgraphUrls(config)).toEqual({
      cases: 'http://127.0.0.1:4001/graphql',
      escalations: 'http://127.0.0.1:4002/graphql',
      panels: 'http://127.0.0.1:4003/graphql',
      learning: 'http://127.0.0.1:4004/graphql',
    });
    expect(config.HUB_SUPERGRAPH_PATH).toMatch(/[/\\]schema[/\\]supergraph\.graphql$/);
    expect(config.HUB_MAX_DEPTH).toBe(10);
    expect(config.HUB_MAX_COST).toBe(5000);
    expect(oidcSettings(config)).toBeNull();
  });

  it('reads HUB_INGEST_MAX_BYTES in bytes, 256 MiB unless set', () => {
    expect(loadGatewayConfig({}).HUB_INGEST_MAX_BYTES).toBe(268_435_456);
    expect(loadGatewayConfig({ HUB_INGEST_MAX_BYTES: '1048576' }).HUB_INGEST_MAX_BYTES).toBe(
      1_048_576,
    );
    expect(() => loadGatewayConfig({ HUB_INGEST_MAX_BYTES: '256mb' })).toThrow(
      /HUB_INGEST_MAX_BYTES/,
    );
  });

  it('takes all three OIDC settings together', () => {
    const config = loadGatewayConfig({
      OIDC_ISSUER: 'https://id.example.org/',
      OIDC_AUDIENCE: 'hub',
      OIDC_JWKS_URL: 'https://id.example.org/.well-known/jwks.json',
    });
    expect(oidcSettings(config)).toEqual({
      issuer: 'https://id.example.org/',
      audience: 'hub',
      jwksUrl: 'https://id.example.org/.well-known/jwks.json',
      adminSubjects: [],
    });
  });

  it('refuses some OIDC settings without the others, naming every missing one', () => {
    const attempt = () => loadGatewayConfig({ OIDC_ISSUER: 'https://id.example.org/' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/OIDC_AUDIENCE/);
    expect(attempt).toThrow(/OIDC_JWKS_URL/);
  });

  it('reports every malformed variable at once', () => {
    const attempt = () =>
      loadGatewayConfig({
        PORT: 'eighty',
        CASES_URL: 'not a url',
        HUB_MAX_DEPTH: '0',
        OIDC_AUDIENCE: 'hub',
      });
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/OIDC_ISSUER/);
    expect(attempt).toThrow(/CASES_URL/);
    expect(attempt).toThrow(/HUB_MAX_DEPTH/);
  });

  describe('HUB_TRUST_PROXY', () => {
    const trustProxy = (value?: string) =>
      loadGatewayConfig({ HUB_TRUST_PROXY: value }).HUB_TRUST_PROXY;

    it('trusts no proxy when unset, empty, false or 0', () => {
      expect(loadGatewayConfig({}).HUB_TRUST_PROXY).toBe(false);
      for (const value of ['', ' ', 'false', 'FALSE', '0']) expect(trustProxy(value)).toBe(false);
    });

    it('takes true, a hop count, or a list of addresses, CIDR ranges and range names', () => {
      expect(trustProxy('true')).toBe(true);
      expect(trustProxy('2')).toBe(2);
      expect(trustProxy('loopback')).toEqual(['loopback']);
      expect(trustProxy(' Loopback, 10.0.0.0/8 ,192.168.1.7, fd00::/8, ::1, uniquelocal')).toEqual([
        'loopback',
        '10.0.0.0/8',
        '192.168.1.7',
        'fd00::/8',
        '::1',
        'uniquelocal',
      ]);
    });

    it('yields only settings Express takes', () => {
      const app = express();
      for (const value of ['true', '3', 'linklocal, 172.16.0.0/12, 2001:db8::1, ::ffff:10.0.0.1']) {
        expect(() => app.set('trust proxy', trustProxy(value))).not.toThrow();
      }
    });

    it('refuses a typo, naming the entry, with every other problem', () => {
      for (const [value, entry] of [
        ['loopbak', '"loopbak"'],
        ['10.0.0.0/8,10.0.0.300', '"10.0.0.300"'],
        ['10.0.0.0/33', '"10.0.0.0/33"'],
        ['10.0.0.0/0', '"10.0.0.0/0"'],
        ['10.0.0.0/255.0.0.0', '"10.0.0.0/255.0.0.0"'],
        ['fd00::/129', '"fd00::/129"'],
        ['yes', '"yes"'],
        ['-1', '"-1"'],
        ['loopback,', 'an empty entry'],
      ]) {
        const attempt = () => loadGatewayConfig({ HUB_TRUST_PROXY: value, PORT: 'eighty' });
        expect(attempt).toThrow(ConfigError);
        // A string matches when the message contains it.
        expect(attempt).toThrow(`HUB_TRUST_PROXY: ${entry}`);
        expect(attempt).toThrow(/PORT/);
      }
    });
  });

  describe('HUB_ADMIN_SUBJECTS', () => {
    const oidc = {
      OIDC_ISSUER: 'https://id.example.org/',
      OIDC_AUDIENCE: 'hub',
      OIDC_JWKS_URL: 'https://id.example.org/.well-known/jwks.json',
    };

    it('is a comma list of subjects, handed to the OIDC settings', () => {
      const config = loadGatewayConfig({
        ...oidc,
        HUB_ADMIN_SUBJECTS: ' 00u1a2b3c4 , auth0|alice,,auth0|alice',
      });
      expect(config.HUB_ADMIN_SUBJECTS).toEqual(['00u1a2b3c4', 'auth0|alice']);
      expect(oidcSettings(config)?.adminSubjects).toEqual(['00u1a2b3c4', 'auth0|alice']);
      expect(loadGatewayConfig({}).HUB_ADMIN_SUBJECTS).toEqual([]);
      expect(loadGatewayConfig({ HUB_ADMIN_SUBJECTS: ' , ' }).HUB_ADMIN_SUBJECTS).toEqual([]);
    });

    it('is refused without an OIDC issuer: the embedded key has `token --admin`', () => {
      const attempt = () => loadGatewayConfig({ HUB_ADMIN_SUBJECTS: 'alice' });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/HUB_ADMIN_SUBJECTS: needs an OIDC issuer/);
    });

    it('refuses a subject too long to record as the actor', () => {
      const attempt = () =>
        loadGatewayConfig({ ...oidc, HUB_ADMIN_SUBJECTS: `ok,${'x'.repeat(101)}` });
      expect(attempt).toThrow(/HUB_ADMIN_SUBJECTS: .*longer than 100 characters/);
    });
  });
});
