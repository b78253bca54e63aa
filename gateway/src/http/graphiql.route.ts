import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, Router } from 'express';
import express from 'express';
import { GRAPHIQL_INIT_SCRIPT, graphiqlPage, type TokenSource } from './graphiql.page.js';

const require = createRequire(import.meta.url);

/** Where GraphiQL's files are served. */
const ASSETS_PATH = '/graphiql/assets';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL and CodeMirror set style attributes; the page's own <style> is inline too.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function packageFile(name: string, file: string): string {
  // React's exports map hides umd/, so resolve the package root and join the path.
  const path = join(dirname(require.resolve(`${name}/package.json`)), file);
  if (!existsSync(path)) throw new Error(`GraphiQL needs ${path}; is ${name} installed?`);
  return path;
}

/** The files the page loads, resolved once from node_modules. */
function resolveAssets(): Map<string, string> {
  return new Map([
    ['react.production.min.js', packageFile('react', 'umd/react.production.min.js')],
    ['react-dom.production.min.js', packageFile('react-dom', 'umd/react-dom.production.min.js')],
    ['graphiql.min.js', packageFile('graphiql', 'graphiql.min.js')],
    ['graphiql.min.css', packageFile('graphiql', 'graphiql.min.css')],
  ]);
}

/** True for a browser navigating to /graphql; API clients (any Accept but HTML first) get GraphQL. */
export function wantsGraphiql(req: Request): boolean {
  return (
    req.method === 'GET' &&
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) ===
      'text/html'
  );
}

/**
 * GraphiQL at `GET /graphql` for browsers, with its assets under /graphiql/assets. The page needs
 * no token to load; every operation it sends goes through authentication like any other.
 * `tokens` (the verifier's mode) decides how the page says a token is got.
 */
export function graphiqlRoutes(options: { tokens: TokenSource }): {
  assets: Router;
  page: express.RequestHandler;
} {
  const files = resolveAssets();
  const html = graphiqlPage(options.tokens);
  const assets = express.Router();
  assets.get(`${ASSETS_PATH}/graphiql-init.js`, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(GRAPHIQL_INIT_SCRIPT);
  });
  assets.get(`${ASSETS_PATH}/:file`, (req, res, next) => {
    const file = files.get(String(req.params.file));
    if (!file) {
      next();
      return;
    }
    res.sendFile(file, { maxAge: '1h' });
  });
  const page: express.RequestHandler = (req, res, next) => {
    if (!wantsGraphiql(req)) {
      next();
      return;
    }
    res
      .type('html')
      .set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'no-cache')
      .send(html);
  };
  return { assets, page };
}
