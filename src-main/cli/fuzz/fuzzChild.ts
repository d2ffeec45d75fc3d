/**
 * The child process of `cxr fuzz`: decodes what the parent sends, one input at a time, and says
 * how it went. It runs apart so that a crash, a hang or a runaway allocation of the decoders ends
 * this process only, where the parent can see it, time it and measure it.
 */
import { isImagingError } from '@shared/imaging/errors'
import { decodeImageBuffer } from '../../services/imaging/decode'
import type { ChildReply, ChildTask } from './protocol'

/** JavaScript errors that mean a bug in the decoder when they come wrapped in an ImagingError. */
const INTERNAL_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'])

async function handle(task: ChildTask): Promise<ChildReply> {
  const started = performance.now()
  try {
    const image = await decodeImageBuffer(new Uint8Array(task.bytes), task.name)
    return { id: task.id, outcome: 'decoded', detail: `${image.width} x ${image.height}, ${image.warnings.length} warning(s)`, milliseconds: performance.now() - started, peakRssBytes: peakRss() }
  } catch (error) {
    const milliseconds = performance.now() - started
    if (!isImagingError(error)) return { id: task.id, outcome: 'untyped-error', detail: String((error as Error)?.stack ?? error), milliseconds, peakRssBytes: peakRss() }
    const cause = (error as { cause?: unknown }).cause
    const internal = cause instanceof Error && INTERNAL_ERRORS.has(cause.name) ? `${cause.name}: ${cause.message}` : undefined
    return { id: task.id, outcome: 'typed-error', code: error.code, detail: error.detail, ...(internal ? { internal } : {}), milliseconds, peakRssBytes: peakRss() }
  }
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024
}

process.on('message', (task: ChildTask) => {
  void handle(task).then((reply) => process.send?.(reply))
})
process.send?.({ ready: true })
