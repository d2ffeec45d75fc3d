import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { decodeImageFile } from '../../services/imaging/index'
import { unitGreyToBytes, writeGreyPng } from '../../services/imaging/export/index'
import { loadLungModel, segmentLungs } from '../../services/lung/model/lungModel'
import { defaultLungModelDir } from '../../services/lung/model/shippedModel'
import { UsageError, type CliCommand } from '../command'

/**
 * `cxr segment`: the lungs of one radiograph as a PNG at the radiograph's own size: 0/255 by default, or the
 * 3 px blurred mask (0–255) that the preprocessing chain multiplies with. Uses the shipped model unless
 * `--model DIR` names another.
 */
export const segmentCommand: CliCommand = {
  name: 'segment',
  summary: 'segment the lungs of one image with the U-Net and write the mask as a PNG',
  usage: 'cxr segment IMAGE --out MASK.png [--model DIR] [--blurred] [--frame N] [--json]',
  async run(args, { io, services }) {
    const options = parseOptions(args)
    await services().engine.init()
    const lung = await loadLungModel(options.modelDir)
    try {
      const decoded = await decodeImageFile(options.image, { frame: options.frame })
      for (const warning of decoded.warnings) io.stderr(`cxr segment: ${options.image}: ${warning}\n`)
      const result = await segmentLungs(lung, decoded)
      if (options.blurred) await writeGreyPng(options.out, unitGreyToBytes(result.blurred), result.blurred.width, result.blurred.height)
      else await writeGreyPng(options.out, result.mask.data, result.mask.width, result.mask.height)
      const { features } = result
      if (options.json) io.stdout(`${JSON.stringify({ image: options.image, out: options.out, model: options.modelDir, features }, null, 2)}\n`)
      else {
        io.stdout(
          `${options.out}: ${features.width}x${features.height}, lungs ${(features.areaFraction * 100).toFixed(1)}% of the image, ${features.componentCount} component(s), left/right balance ${features.leftRightBalance.toFixed(2)}\n`,
        )
      }
      return 0
    } finally {
      lung.model.dispose()
    }
  },
}

interface SegmentCliOptions {
  image: string
  out: string
  modelDir: string
  blurred: boolean
  frame: number
  json: boolean
}

function parseOptions(args: string[]): SegmentCliOptions {
  let parsed
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        model: { type: 'string' },
        blurred: { type: 'boolean', default: false },
        frame: { type: 'string', default: '0' },
        json: { type: 'boolean', default: false },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give one IMAGE to segment' : `one IMAGE at a time, got ${positionals.length}`)
  if (!values.out) throw new UsageError('--out MASK.png is required')
  const frame = Number(values.frame)
  if (values.frame.trim() === '' || !Number.isInteger(frame) || frame < 0) throw new UsageError(`--frame must be an integer ≥ 0 (0-based), got '${values.frame}'`)
  return {
    image: positionals[0],
    out: values.out,
    modelDir: resolve(values.model ?? defaultLungModelDir()),
    blurred: values.blurred,
    frame,
    json: values.json,
  }
}
