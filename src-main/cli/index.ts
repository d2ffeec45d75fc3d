/**
 * `cxr`: the app's services from a terminal, for batch work, benchmarks and reproducible builds of the shipped
 * models. Each subcommand lives in its own file under ./commands.
 */
import { runCli } from './runCli'

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`cxr: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
