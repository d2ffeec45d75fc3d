/**
 * Electron entry: one window with the security defaults of rule 7, the contract bound to ipcMain. Thin on
 * purpose: the services live in plain Node modules that browser mode and the CLI share.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createAppServices } from './app/createServices'
import { contentSecurityPolicy } from './bridge/contentSecurityPolicy'
import { bindContractToIpcMain, forwardEvents } from './electronIpc'
import { createDispatcher } from './ipc/dispatcher'
import { DATA_FOLDER_ENV, resolveDataFolder } from './services/system/dataFolder'

const here = fileURLToPath(new URL('.', import.meta.url))
const rendererIndex = join(here, '../renderer/index.html')
const devServerUrl = process.env.ELECTRON_RENDERER_URL

function isAppPage(url: string): boolean {
  if (devServerUrl && url.startsWith(devServerUrl)) return true
  return url.startsWith(pathToFileURL(join(here, '../renderer')).href)
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'CXR Workstation',
    backgroundColor: '#101418',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  window.webContents.setWindowOpenHandler(({ url }) => {
    // External links open in the system browser, never inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppPage(url)) event.preventDefault()
  })
  if (devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadFile(rendererIndex)
  return window
}

/**
 * Prints the report's HTML to PDF in a hidden window with JavaScript off: the report is self-contained, so it
 * needs neither scripts nor network.
 */
async function printToPdf(html: string): Promise<Uint8Array> {
  const window = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false } })
  try {
    await window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`)
    return new Uint8Array(await window.webContents.printToPDF({ printBackground: true, landscape: true }))
  } finally {
    window.destroy()
  }
}

/**
 * The system's folder dialog, opened by the main process: the only way a folder is granted in the desktop app,
 * so the page can ask for the dialog but never name the folder itself.
 */
async function chooseFolder(title?: string): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  const options: Electron.OpenDialogOptions = { title: title ?? 'Choose a folder', properties: ['openDirectory', 'dontAddToRecent'] }
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]
}

/** A question the main process asks in a native message box: the page cannot answer it for the user. */
async function confirm(question: { message: string; detail: string; action: string }): Promise<boolean> {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  const options: Electron.MessageBoxOptions = { type: 'warning', message: question.message, detail: question.detail, buttons: ['Cancel', question.action], defaultId: 0, cancelId: 0 }
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options)
  return response === 1
}

async function main(): Promise<void> {
  app.setName('CXR Workstation')
  await app.whenReady()
  const dataFolder = process.env[DATA_FOLDER_ENV] ? resolveDataFolder() : app.getPath('userData')
  const services = createAppServices({ dataFolder, mode: 'electron', printToPdf, chooseFolder, confirm })
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  bindContractToIpcMain(ipcMain, createDispatcher(services.handlers), isAppPage)
  forwardEvents(services.events, () => BrowserWindow.getAllWindows().map((w) => ({
    isDestroyed: () => w.isDestroyed(),
    send: (channel, name, payload) => w.webContents.send(channel, name, payload),
  })))
  void services.engine.init()
  createWindow()
  // Dropped radiographs may carry patient data: they leave with the session.
  app.on('will-quit', () => services.tryImage.close())
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

main().catch((error: unknown) => {
  console.error('CXR Workstation failed to start:', error)
  app.exit(1)
})
