/** Returns { path } when Electron's binary is on disk, or { reason } saying why not. */
export function findElectronBinary(root: string): { path?: string; reason?: string }
