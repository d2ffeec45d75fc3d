/** Saves data the app made (a report, an export) through the browser's download, in Electron and browser mode. */
export function downloadFile(name: string, data: string | Uint8Array, type: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([data as BlobPart], { type }))
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}
