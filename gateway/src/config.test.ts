import { ConfigError } from '@hub/kit';
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
});
