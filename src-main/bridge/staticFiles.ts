import { createReadStream, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
}

/**
 * Serves one file of the built renderer. Paths are resolved inside `root` only; unknown paths fall back to
 * index.html so deep links work, and nothing outside the renderer folder is ever readable.
 */
export function serveStatic(root: string, urlPath: string, response: ServerResponse, headers: Record<string, string>): void {
  const base = resolve(root)
  let relative: string
  try {
    relative = normalize(decodeURIComponent(urlPath.split('?')[0])).replace(/^([/\\])+/, '')
  } catch {
    response.writeHead(400, headers).end('Bad path')
    return
  }
  let file = resolve(join(base, relative))
  if (file !== base && !file.startsWith(base + sep)) {
    response.writeHead(403, headers).end('Forbidden')
    return
  }
  if (!isFile(file)) file = join(base, 'index.html')
  if (!isFile(file)) {
    response.writeHead(404, headers).end('The renderer is not built: run `npm run build` first.')
    return
  }
  response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
  // A file removed between the check and the read (a rebuild) ends this response, not the server.
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response)
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
