import type { SystemReport } from '@shared/system/systemTypes'
import { parseCommandLine, type CliCommand } from '../command'

/** `cxr system`: the engine report, versions and machine, as text or JSON. */
export const systemCommand: CliCommand = {
  name: 'system',
  summary: 'show the active TensorFlow.js backend, why others were skipped, versions and machine',
  usage: 'cxr system [--json]',
  async run(args, { io, services }) {
    const { values } = parseStrict(args)
    const report = await services().system.getReport()
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return 0
  },
}

function parseStrict(args: string[]) {
  return parseCommandLine(args, { json: { type: 'boolean', default: false } })
}

function formatReport(report: SystemReport): string {
  const lines = [
    `${report.app.name} ${report.app.version}`,
    `backend: ${report.engine.active} (preference ${report.engine.preference}, from ${report.engine.preferenceSource})`,
    ...report.engine.attempts.map((a) => `  ${a.backend.padEnd(15)} ${a.status.padEnd(10)} ${a.reason}`),
  ]
  if (report.engine.wasm) lines.push(`wasm: SIMD ${report.engine.wasm.simd ? 'on' : 'off'}, threads ${report.engine.wasm.threads ? 'on' : 'off'}`)
  if (report.engine.projectKernels.length) lines.push(`project kernels: ${report.engine.projectKernels.join(', ')}`)
  lines.push(
    `cpu: ${report.machine.cpuModel} × ${report.machine.cores}, ${report.machine.memoryGiB} GiB`,
    `gpu: ${report.machine.gpus.map((g) => g.name).join(', ') || 'none'} (${report.machine.gpuProbe})`,
    `data folder: ${report.dataFolder}`,
    `versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  )
  return `${lines.join('\n')}\n`
}
