/**
 * The app's Content-Security-Policy. No remote content at all: scripts and styles come from the app itself;
 * inline styles are allowed because ECharts and Vue's style bindings set them; the only connection is the
 * loopback bridge (browser mode). Electron's pages get the same policy without the bridge.
 */
export function contentSecurityPolicy(options: { bridgePort?: number } = {}): string {
  const connect = options.bridgePort ? `'self' ws://127.0.0.1:${options.bridgePort} ws://localhost:${options.bridgePort}` : "'self'"
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
  ].join('; ')
}
