import { parseArgs, type ParseArgsConfig } from 'node:util'
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

/**
 * `parseArgs` in strict mode with its errors turned into usage errors (exit 2, usage printed), so every command
 * rejects unknown or malformed options the same way.
 */
export function parseCommandLine<T extends ParseArgsConfig['options']>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}
