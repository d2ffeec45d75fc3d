import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../command'

/** Options as `node:util` `parseArgs` declares them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>

/**
 * `parseArgs` in strict mode with positionals, its complaints turned into usage errors (exit 2) so a typo in a
 * flag never starts an import with a default the user did not mean.
 * @param args the command's arguments.
 * @param options the flags it accepts.
 */
export function parseStrict<const Options extends OptionSpecs>(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/**
 * A number flag, or `fallback` when absent.
 * @param name the flag, for the message.
 * @param text its value as typed.
 * @param check what the value must satisfy, in words and as a test.
 */
export function numberFlag(name: string, text: string | undefined, check: { what: string; ok: (value: number) => boolean }): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || !check.ok(value)) throw new UsageError(`--${name} must be ${check.what}, got '${text}'`)
  return value
}

/**
 * Split `KEY=VALUE` at the first `=` (keys such as roles and folders never contain one; values such as classes
 * and patterns may).
 * @param flag the flag, for the message.
 * @param text the value as typed.
 * @param form how the value should look, for the message.
 */
export function splitPair(flag: string, text: string, form: string): [string, string] {
  const at = text.indexOf('=')
  if (at <= 0) throw new UsageError(`--${flag} must be ${form}, got '${text}'`)
  return [text.slice(0, at), text.slice(at + 1)]
}

/** The values of a repeatable flag (absent → empty). */
export function many(value: string | boolean | (string | boolean)[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string')
}
