import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, Router } from 'express';
import express from 'express';

const require = createRequire(import.meta.url);

/** Where GraphiQL's files are served. */
const ASSETS_PATH = '/graphiql/assets';

/** Runs GraphiQL on the page; a file rather than an inline script so the CSP can forbid inline code. */
const INIT_SCRIPT = `'use strict';
(function () {
  var url = window.location.origin + window.location.pathname;
  var fetcher = GraphiQL.createFetcher({ url: url });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: JSON.stringify({ Authorization: 'Bearer <paste your token here>' }, null, 2),
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultQuery:
        '# Paste your bearer token in the Headers tab below.\\n' +
        '# In the embedded default: npm run --silent token -- --practitioner <id>\\n' +
        '# (or -- --admin); the token is the last line printed.\\n',
    }),
  );
})();
`;

/** The page: everything it loads comes from the hub itself (no CDN). */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Safeguarding escalation hub: GraphiQL</title>
    <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="/graphiql/assets/react.production.min.js"></script>
    <script src="/graphiql/assets/react-dom.production.min.js"></script>
    <script src="/graphiql/assets/graphiql.min.js"></script>
    <script src="/graphiql/assets/graphiql-init.js"></script>
  </body>
</html>
`;

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
 */
export function graphiqlRoutes(): { assets: Router; page: express.RequestHandler } {
  const files = resolveAssets();
  const assets = express.Router();
  assets.get(`${ASSETS_PATH}/graphiql-init.js`, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(INIT_SCRIPT);
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
      .send(PAGE);
  };
  return { assets, page };
}
