/**
 * The app's Content-Security-Policy. No remote content at all: scripts and styles come from the app itself;
 * inline styles are allowed because ECharts and Vue's style bindings set them; the only connection is the
 * loopback bridge (browser mode). Electron's pages get the same policy without the bridge.
 */
export function contentSecurityPolicy(options: { bridgePort?: number } = {}): string {
  const connect = options.bridgePort ? `'self' ws://127.0.0.1:${options.bridgePort} ws://localhost:${options.bridgePort}` : "'self'"
  return directives(connect).join('; ')
}

/** Directives a `<meta>` element cannot carry: browsers ignore them there (and say so in the console). */
const HEADER_ONLY = ['frame-ancestors']

/**
 * The same policy for the `<meta>` element of `src-renderer/index.html`. Electron's header applies to pages it
 * serves over a protocol; a page loaded from `file://` gets only what its HTML says, so the HTML carries the
 * policy too. `connect-src 'self'` also admits the bridge's WebSocket on the page's own host and port.
 */
export function contentSecurityPolicyForMeta(): string {
  return directives("'self'")
    .filter((directive) => !HEADER_ONLY.some((name) => directive.startsWith(`${name} `)))
    .join('; ')
}

function directives(connect: string): string[] {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ]
}
