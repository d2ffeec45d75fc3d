import type { AppServices } from '../app/createServices'

/** Where a command writes: injected so tests capture output. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** What every command receives. */
export interface CliContext {
  io: CliIo
  /** The app's services, built on first use (some commands, like --help, never need them). */
  services(): AppServices
}

/** One `cxr` subcommand. */
export interface CliCommand {
  name: string
  summary: string
  usage: string
  /** Returns the process exit code. */
  run(args: string[], context: CliContext): Promise<number>
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}
