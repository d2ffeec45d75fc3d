import { createAppServices, type AppServices } from '../app/createServices'
import { APP_VERSION } from '../app/version'
import { resolveDataFolder } from '../services/system/dataFolder'
import { UsageError, type CliCommand, type CliContext, type CliIo } from './command'
import { benchCommand } from './commands/bench'
import { bundleCommand } from './commands/bundle'
import { compareCommand } from './commands/compare'
import { composeCommand } from './commands/compose'
import { datasetsCommand } from './commands/datasets'
import { decodeCommand } from './commands/decode'
import { evaluateCommand } from './commands/evaluate'
import { fuzzCommand } from './commands/fuzz'
import { importCommand } from './commands/importCommand'
import { metricsCommand } from './commands/metrics'
import { predictCommand } from './commands/predict'
import { preprocessCommand } from './commands/preprocess'
import { reportCommand } from './commands/report'
import { runsCommand } from './commands/runs'
import { segmentCommand } from './commands/segment'
import { studyCommand } from './commands/study'
import { systemCommand } from './commands/system'
import { trainCommand } from './commands/train'
import { trainLungsCommand } from './commands/trainLungs'

/** Every subcommand, in the order `cxr --help` lists them. */
export const commands: CliCommand[] = [systemCommand, decodeCommand, preprocessCommand, datasetsCommand, importCommand, composeCommand, segmentCommand, trainLungsCommand, trainCommand, runsCommand, studyCommand, bundleCommand, predictCommand, evaluateCommand, compareCommand, metricsCommand, reportCommand, benchCommand, fuzzCommand]

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}

/** Runs `cxr ARGS…` and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function runCli(argv: string[], io: CliIo = defaultIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { dataDir, rest } = takeGlobalOptions(argv)
  const [name, ...args] = rest
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText())
    return 0
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${APP_VERSION}\n`)
    return 0
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.stderr(`cxr: unknown command '${name}'\n\n${helpText()}`)
    return 2
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`)
    return 0
  }
  let services: AppServices | undefined
  const context: CliContext = {
    io,
    services: () => (services ??= createAppServices({ dataFolder: resolveDataFolder(dataDir, env), mode: 'cli', env })),
  }
  try {
    return await command.run(args, context)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cxr ${name}: ${error.message}\nUsage: ${command.usage}\n`)
      return 2
    }
    io.stderr(`cxr ${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

function takeGlobalOptions(argv: string[]): { dataDir?: string; rest: string[] } {
  const rest: string[] = []
  let dataDir: string | undefined
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir') dataDir = argv[++i]
    else if (argv[i].startsWith('--data-dir=')) dataDir = argv[i].slice('--data-dir='.length)
    else rest.push(argv[i])
  }
  return { dataDir, rest }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `cxr ${APP_VERSION}: the CXR Workstation's services from a terminal`,
    '',
    'Usage: cxr [--data-dir DIR] <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --data-dir DIR  use this data folder (default: $CXR_DATA_DIR or the desktop app\'s folder)',
    '  --help          show help (also after a command)',
    '  --version       print the version',
    '',
    'Environment: CXR_BACKEND=auto|tensorflow-gpu|tensorflow|wasm|cpu forces the TensorFlow.js backend.',
    '',
  ].join('\n')
}
