/**
 * Browser mode: the same services and UI as the desktop app, served on 127.0.0.1 with a per-launch token.
 * Used where Electron's binary is missing and by the end-to-end tests.
 */
import { delimiter } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createAppServices } from './app/createServices'
import { startBridgeServer } from './bridge/bridgeServer'
import { createDispatcher } from './ipc/dispatcher'
import { resolveDataFolder } from './services/system/dataFolder'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'folder-root': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(
      [
        'Usage: npm run web -- [--port N] [--data-dir DIR] [--folder-root DIR]...',
        'Serves the app on 127.0.0.1 and prints its URL.',
        'The folder picker browses your home folder and each --folder-root (also CXR_FOLDER_ROOTS, separated by',
        `"${delimiter}"); the app reads only inside the folders you allow in the picker.`,
        '',
      ].join('\n'),
    )
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`)
  const folderRoots = [...values['folder-root'], ...(process.env.CXR_FOLDER_ROOTS ?? '').split(delimiter).filter(Boolean)]
  const app = createAppServices({
    dataFolder: resolveDataFolder(values['data-dir']),
    mode: 'browser',
    folderRoots,
    // The terminal is the one place a page cannot write to: every grant is shown there.
    announce: (message) => process.stdout.write(`${message}\n`),
  })
  const engine = await app.engine.init()
  const bridge = await startBridgeServer({
    dispatcher: createDispatcher(app.handlers),
    events: app.events,
    staticRoot: fileURLToPath(new URL('../renderer', import.meta.url)),
    port,
  })
  process.stdout.write(`CXR Workstation (browser mode), backend ${engine.active}, data in ${app.dataFolder}\n`)
  process.stdout.write(`Open ${bridge.url}\n`)
  const stop = async () => {
    await bridge.close()
    // Dropped radiographs may carry patient data: they leave with the session.
    app.tryImage.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  // A promise some service forgot to await must not end a session with an import or a training run in it.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`cxr web: unhandled failure: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`)
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`cxr web: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
