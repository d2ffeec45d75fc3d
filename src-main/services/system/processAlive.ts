/**
 * True while a process with this id exists on this machine (`kill(pid, 0)` sends nothing; EPERM means it exists
 * but belongs to another user). Owners of imports and runs are checked this way before their work is taken over.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
