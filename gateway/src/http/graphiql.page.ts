import type { TokenVerifier } from '../auth/verify-token.js';

/** Where the hub's tokens come from, which decides what the page tells a newcomer. */
export type TokenSource = TokenVerifier['mode'];

/**
 * Runs GraphiQL on the page; served as a file rather than inline so the CSP can forbid inline
 * code. Plain browser JavaScript over GraphiQL's UMD bundle (React, ReactDOM and GraphiQL are
 * globals), kept in a string so `tsc` carries it into dist/ with no copy step.
 *
 * Every request needs a token, so the page never introspects without one (`schema: null`): an
 * introspection that can only fail would fill Docs with "Error fetching schema" and the result
 * pane with "Authentication required". A banner says how to get a token and where to paste it;
 * as soon as the Headers tab holds `Authorization: Bearer <token>` (typed there or set from the
 * banner's field), `schema` becomes undefined and the fetcher a new one, and GraphiQL introspects
 * with the new header by itself.
 */
export const GRAPHIQL_INIT_SCRIPT = String.raw`'use strict';
(function () {
  const h = React.createElement;
  const { createContext, useContext, useEffect, useMemo, useRef, useState } = React;
  const { useEditorContext, usePluginContext, useSchemaContext } = GraphiQL.React;

  const url = window.location.origin + window.location.pathname;
  const tokenSource = document.body.dataset.tokens === 'oidc' ? 'oidc' : 'embedded';
  const PLACEHOLDER = 'Bearer <paste your token here>';
  // RFC 6750's b64token: what a bearer token may be made of (a JWT, or an opaque token).
  const TOKEN = /^[A-Za-z0-9._~+\/-]+=*$/;
  const DOCS = 'Documentation Explorer';
  const DEFAULT_QUERY = [
    '# Docs (the book icon) lists the API.',
    '# Run with ▶ or Ctrl-Enter.',
    'query Boards {',
    '  boards {',
    '    id',
    '    name',
    '  }',
    '}',
    '',
  ].join('\n');

  /** The Headers text for a token (a new tab starts with the last token set). */
  function headersFor(token) {
    return JSON.stringify({ Authorization: token ? 'Bearer ' + token : PLACEHOLDER }, null, 2);
  }

  /** The token in a Headers text, or why there is none. */
  function readHeaders(text) {
    let headers;
    try {
      headers = text.trim() ? JSON.parse(text) : {};
    } catch {
      return { token: null, problem: 'json' };
    }
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) {
      return { token: null, problem: 'json' };
    }
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'authorization');
    const value = name === undefined ? undefined : headers[name];
    if (value === undefined || value === PLACEHOLDER) return { token: null, problem: null };
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(typeof value === 'string' ? value : '');
    if (!match || !TOKEN.test(match[1])) return { token: null, problem: 'form' };
    return { token: match[1], problem: null };
  }

  /** The Headers text with its Authorization header replaced, other headers kept. */
  function withToken(text, token) {
    let headers = {};
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
    } catch {
      // Text that is not JSON cannot be kept; the token replaces it.
    }
    const rest = {};
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== 'authorization') rest[key] = headers[key];
    }
    return JSON.stringify(Object.assign({ Authorization: 'Bearer ' + token }, rest), null, 2);
  }

  /** What people paste: the bare token, or it with "Bearer", the header name or quotes. */
  function cleanToken(value) {
    const token = value
      .trim()
      .replace(/^"|"$/g, '')
      .replace(/^authorization:\s*/i, '')
      .replace(/^bearer\s+/i, '');
    return TOKEN.test(token) ? token : null;
  }

  /** The first error message of a failed introspection, which GraphiQL hands over as text. */
  function firstError(fetchError) {
    try {
      const error = JSON.parse(fetchError).errors[0];
      return { message: String(error.message), code: error.extensions && error.extensions.code };
    } catch {
      return { message: String(fetchError), code: undefined };
    }
  }

  const Hub = createContext(null);

  /**
   * Rendered inside GraphiQL (as a toolbar component that shows nothing) because its editors,
   * schema and plugins are only reachable from within; it reports them to the banner.
   */
  function Bridge() {
    const hub = useContext(Hub);
    const { headerEditor, responseEditor } = useEditorContext({ nonNull: true });
    const { schema, fetchError, isFetching } = useSchemaContext({ nonNull: true });
    const { visiblePlugin } = usePluginContext({ nonNull: true });
    const docsOpened = useRef(false);
    const lastFetchError = useRef(null);
    useEffect(() => {
      hub.setHeaderEditor(headerEditor);
    }, [hub, headerEditor]);
    useEffect(() => {
      hub.setSchemaState({ loaded: Boolean(schema), fetchError, isFetching });
    }, [hub, schema, fetchError, isFetching]);
    useEffect(() => {
      // GraphiQL puts a failed introspection in the result pane and leaves it there once a
      // later one succeeds; a refused token's error would then sit beside a working schema.
      const previous = lastFetchError.current;
      lastFetchError.current = fetchError;
      if (previous && !fetchError && responseEditor && responseEditor.getValue() === previous) {
        responseEditor.setValue('');
      }
    }, [fetchError, responseEditor]);
    useEffect(() => {
      // Once, when the first schema arrives, so the newcomer sees at once what the API offers.
      // Through GraphiQL's own button: only its click handler also unfolds the plugin pane.
      if (!schema || docsOpened.current) return;
      docsOpened.current = true;
      const button = document.querySelector('button[aria-label="Show ' + DOCS + '"]');
      if (!visiblePlugin && button) button.click();
    }, [schema, visiblePlugin]);
    return null;
  }

  function code(text) {
    return h('code', null, text);
  }

  function howToGetOne() {
    if (tokenSource === 'oidc') {
      return h(
        'p',
        null,
        'This hub takes access tokens from its identity provider (OpenID Connect): ask it for an ',
        'access token for the hub, as your agency\'s applications do, and paste it here.',
      );
    }
    return h(
      'p',
      null,
      'Mint one in a terminal in the hub\'s folder: ',
      code('npm run --silent token -- --admin'),
      ' for the administrator, or ',
      code('npm run --silent token -- --practitioner <id>'),
      ' for a practitioner (the ids are in the table ',
      code('npm start'),
      ' printed). The token is the last line printed.',
    );
  }

  function message(status, problem, fetchError) {
    if (status === 'ready') {
      return [
        h('strong', { key: 'title' }, 'Token accepted. '),
        'The schema is loaded: browse it in Docs (the book icon on the left); run an operation ',
        'with ▶ or Ctrl-Enter.',
      ];
    }
    if (status === 'checking') {
      return [h('strong', { key: 'title' }, 'Checking the token and loading the schema…')];
    }
    const lines = [];
    if (status === 'refused') {
      const error = firstError(fetchError);
      lines.push(
        error.code === 'UNAUTHENTICATED'
          ? h('strong', { key: 'title' }, 'The hub refused this token. ' + error.message)
          : h('strong', { key: 'title' }, 'The schema could not be loaded. ' + error.message),
      );
    } else {
      lines.push(h('strong', { key: 'title' }, 'Paste a token to use the API. '));
      lines.push('Every request needs one; Docs loads the schema as soon as one is set.');
      if (problem === 'json') lines.push(' (The Headers tab does not hold valid JSON.)');
      if (problem === 'form') {
        lines.push(' (The Authorization header should read "Bearer ", then the token.)');
      }
    }
    return lines.concat(h(React.Fragment, { key: 'how' }, howToGetOne()));
  }

  function Banner({ status, problem, fetchError, onToken }) {
    const [value, setValue] = useState('');
    const [invalid, setInvalid] = useState(false);
    const submit = (event) => {
      // The CSP forbids form submission anyway; the token only goes into the Headers tab.
      event.preventDefault();
      const token = cleanToken(value);
      setInvalid(!token);
      if (!token) return;
      setValue('');
      onToken(token);
    };
    const compact = status === 'ready' || status === 'checking';
    return h(
      'section',
      { className: 'hub-token hub-token-' + status, 'aria-label': 'Token' },
      h(
        'div',
        { className: 'hub-token-message', role: 'status' },
        message(status, problem, fetchError),
      ),
      h(
        'form',
        { className: 'hub-token-form', onSubmit: submit },
        h('label', { htmlFor: 'hub-token-input' }, compact ? 'Another token' : 'Token'),
        h('input', {
          id: 'hub-token-input',
          type: 'text',
          autoComplete: 'off',
          spellCheck: false,
          placeholder: 'eyJhbGciOi…',
          value,
          'aria-invalid': invalid,
          onChange: (event) => setValue(event.target.value),
        }),
        h('button', { type: 'submit' }, 'Use token'),
        h(
          'span',
          { className: 'hub-token-hint' },
          invalid
            ? 'That does not look like a token' +
                (tokenSource === 'oidc' ? '.' : ': paste the last line the token command printed.')
            : compact
              ? null
              : h(
                  React.Fragment,
                  null,
                  'or paste it in the Headers tab below as ',
                  code('{"Authorization": "Bearer …"}'),
                ),
        ),
      ),
    );
  }

  function App() {
    const [headers, setHeaders] = useState(() => readHeaders(headersFor(null)));
    const [schemaState, setSchemaState] = useState({
      loaded: false,
      fetchError: null,
      isFetching: false,
    });
    const editor = useRef(null);
    const typing = useRef(undefined);
    const token = headers.token;
    const [lastToken, setLastToken] = useState(null);
    useEffect(() => {
      if (token) setLastToken(token);
    }, [token]);

    const hub = useMemo(
      () => ({
        setHeaderEditor(headerEditor) {
          editor.current = headerEditor;
          if (headerEditor) setHeaders(readHeaders(headerEditor.getValue()));
        },
        setSchemaState,
      }),
      [],
    );
    const onEditHeaders = useMemo(
      () => (text) => {
        // A token typed by hand would otherwise introspect once per keystroke.
        clearTimeout(typing.current);
        typing.current = setTimeout(() => setHeaders(readHeaders(text)), 250);
      },
      [],
    );
    // GraphiQL introspects again whenever its fetcher changes, so a new token reloads the schema.
    const fetcher = useMemo(() => GraphiQL.createFetcher({ url }), [token]);
    const onToken = (value) => {
      if (editor.current) editor.current.setValue(withToken(editor.current.getValue(), value));
    };

    let status = 'none';
    if (token) {
      if (schemaState.isFetching) status = 'checking';
      else if (schemaState.fetchError) status = 'refused';
      else status = schemaState.loaded ? 'ready' : 'checking';
    }

    return h(
      Hub.Provider,
      { value: hub },
      h(Banner, { status, problem: headers.problem, fetchError: schemaState.fetchError, onToken }),
      h(GraphiQL, {
        fetcher,
        // null: no introspection at all; undefined: introspect with the Headers tab's headers.
        schema: token ? undefined : null,
        // GraphiQL gives a new tab these headers; the last token spares pasting it again.
        defaultHeaders: headersFor(lastToken),
        defaultEditorToolsVisibility: 'headers',
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        onEditHeaders,
        toolbar: { additionalComponent: Bridge },
        defaultQuery: DEFAULT_QUERY,
      }),
    );
  }

  ReactDOM.createRoot(document.getElementById('graphiql')).render(h(App));
})();
`;

/** The banner's look, in GraphiQL's colours for its light and dark themes. */
const STYLE = `
body { margin: 0; }
#graphiql { height: 100vh; display: flex; flex-direction: column; }
#graphiql > .graphiql-container { flex: 1; min-height: 0; height: auto; }
.hub-token {
  --hub-base: 219, 28%, 100%; --hub-neutral: 219, 28%, 32%; --hub-primary: 320, 95%, 43%;
  --hub-warning: 36, 100%, 41%; --hub-error: 13, 93%, 58%; --hub-success: 158, 60%, 42%;
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px;
  padding: 10px 20px; border-left: 4px solid hsl(var(--hub-warning));
  border-bottom: 1px solid hsla(var(--hub-neutral), 0.15);
  background: linear-gradient(hsla(var(--hub-warning), 0.08), hsla(var(--hub-warning), 0.08)),
    hsl(var(--hub-base));
  color: hsl(var(--hub-neutral)); font-family: 'Roboto', sans-serif; font-size: 14px;
  line-height: 1.5;
}
.hub-token-refused { border-left-color: hsl(var(--hub-error));
  background: linear-gradient(hsla(var(--hub-error), 0.08), hsla(var(--hub-error), 0.08)),
    hsl(var(--hub-base)); }
.hub-token-ready, .hub-token-checking { border-left-color: hsl(var(--hub-success));
  background: hsl(var(--hub-base)); padding-top: 6px; padding-bottom: 6px; }
.hub-token-message { flex: 1 1 480px; }
.hub-token-message p { margin: 2px 0 0; }
.hub-token-form { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; }
.hub-token-form label { font-weight: 500; }
.hub-token code { font-family: 'Fira Code', monospace; font-size: 13px;
  background: hsla(var(--hub-neutral), 0.08); border-radius: 4px; padding: 1px 4px; }
.hub-token input { width: 22em; padding: 5px 8px; border-radius: 4px;
  font: 13px 'Fira Code', monospace;
  border: 1px solid hsla(var(--hub-neutral), 0.35); background: hsl(var(--hub-base));
  color: hsl(var(--hub-neutral)); }
.hub-token input[aria-invalid='true'] { border-color: hsl(var(--hub-error)); }
.hub-token button { padding: 6px 14px; border: none; border-radius: 4px; cursor: pointer;
  background: hsl(var(--hub-primary)); color: #fff; font: 500 14px 'Roboto', sans-serif; }
.hub-token-hint { font-size: 13px; }
@media (prefers-color-scheme: dark) {
  body:not(.graphiql-light) .hub-token {
    --hub-base: 219, 29%, 18%; --hub-neutral: 219, 29%, 78%; --hub-primary: 338, 100%, 67%;
    --hub-warning: 30, 100%, 80%; --hub-error: 13, 100%, 58%; --hub-success: 158, 100%, 42%;
  }
}
body.graphiql-dark .hub-token {
  --hub-base: 219, 29%, 18%; --hub-neutral: 219, 29%, 78%; --hub-primary: 338, 100%, 67%;
  --hub-warning: 30, 100%, 80%; --hub-error: 13, 100%, 58%; --hub-success: 158, 100%, 42%;
}
`;

/**
 * The page: everything it loads comes from the hub itself (no CDN). The body names where tokens
 * come from (`data-tokens`), since only the gateway knows whether it mints them or an identity
 * provider does.
 */
export function graphiqlPage(tokens: TokenSource): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Safeguarding escalation hub: GraphiQL</title>
    <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
    <style>${STYLE}</style>
  </head>
  <body data-tokens="${tokens === 'oidc' ? 'oidc' : 'embedded'}">
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="/graphiql/assets/react.production.min.js"></script>
    <script src="/graphiql/assets/react-dom.production.min.js"></script>
    <script src="/graphiql/assets/graphiql.min.js"></script>
    <script src="/graphiql/assets/graphiql-init.js"></script>
  </body>
</html>
`;
}
