import { preprocessChain, type EqualizeMethod, type ResizeMode } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import { decodeImageFile } from '../../services/imaging/index'
import { readMaskFile, unitGreyToBytes, writeGreyPng } from '../../services/imaging/export/index'
import { parseCommandLine, UsageError, type CliCommand } from '../command'

/** Defaults: the 224 px network input and global equalization of the paper (Sec. III-B); stretch, as plain resizing does. */
const PREPROCESS_DEFAULTS = { size: 224, resize: 'stretch', equalize: 'global' } as const

/** Smallest output side accepted: below this nothing of a chest radiograph survives. */
const MIN_SIZE = 8

/**
 * `cxr preprocess`: one radiograph through the paper's chain, exactly as training will see it:
 * presentation grey (bone bright) → equalize at full bit depth → lung mask (blurred 3 px) → [0, 1] → resize.
 */
export const preprocessCommand: CliCommand = {
  name: 'preprocess',
  summary: 'run the preprocessing chain (equalize, lung mask, normalise, resize) on one file and write a PNG',
  usage: 'cxr preprocess FILE --out OUT.png [--size 224] [--resize stretch|pad] [--equalize global|clahe|none] [--mask MASK.png | --no-mask] [--frame N]',
  async run(args, { io, services }) {
    const options = parseOptions(args)
    const image = await decodeImageFile(options.file, { frame: options.frame })
    for (const warning of image.warnings) io.stderr(`cxr preprocess: ${options.file}: ${warning}\n`)
    const grey = toPresentationGrey(image)
    let mask
    if (options.mask) {
      const loaded = await readMaskFile(options.mask, grey)
      for (const note of loaded.notes) io.stderr(`cxr preprocess: ${options.mask}: ${note}\n`)
      mask = loaded.mask
    } else if (options.noMask) {
      io.stderr('cxr preprocess: mask step skipped (--no-mask)\n')
    } else {
      const lungs = services().lungMasks
      const status = lungs.status()
      if (status.installed) {
        // The unblurred 0/1 mask: the chain blurs it 3 px itself, as for a mask file.
        const segmentation = await lungs.segment(image)
        mask = { width: segmentation.width, height: segmentation.height, data: Float32Array.from(segmentation.mask, (value) => value / 255) }
        io.stderr(`cxr preprocess: lung mask by ${status.name ?? status.folder} (${(segmentation.features.areaFraction * 100).toFixed(0)} % of the image)\n`)
      } else {
        // Said out loud so nobody mistakes an unmasked output for the paper's lung-only input.
        io.stderr(`cxr preprocess: mask step skipped: no lung segmentation model is installed: ${status.reason ?? ''} (give --mask MASK.png to apply one)\n`)
      }
    }
    const { final } = preprocessChain(grey, { size: options.size, resizeMode: options.resize, equalize: options.equalize, mask })
    await writeGreyPng(options.out, unitGreyToBytes(final), final.width, final.height)
    return 0
  },
}

interface PreprocessCliOptions {
  file: string
  out: string
  size: number
  resize: ResizeMode
  equalize: EqualizeMethod
  mask?: string
  noMask: boolean
  frame: number
}

function parseOptions(args: string[]): PreprocessCliOptions {
  const { values, positionals } = parseCommandLine(args, {
    out: { type: 'string' },
    size: { type: 'string', default: String(PREPROCESS_DEFAULTS.size) },
    resize: { type: 'string', default: PREPROCESS_DEFAULTS.resize },
    equalize: { type: 'string', default: PREPROCESS_DEFAULTS.equalize },
    mask: { type: 'string' },
    'no-mask': { type: 'boolean', default: false },
    frame: { type: 'string', default: '0' },
  }, true)
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give one FILE to preprocess' : `one FILE at a time, got ${positionals.length}`)
  if (!values.out) throw new UsageError('--out OUT.png is required')
  const size = Number(values.size)
  if (!Number.isInteger(size) || size < MIN_SIZE) throw new UsageError(`--size must be an integer ≥ ${MIN_SIZE}, got '${values.size}'`)
  const frame = Number(values.frame)
  if (values.frame.trim() === '' || !Number.isInteger(frame) || frame < 0) throw new UsageError(`--frame must be an integer ≥ 0 (0-based), got '${values.frame}'`)
  return {
    file: positionals[0],
    out: values.out,
    size,
    resize: oneOf('resize', values.resize, ['stretch', 'pad'] as const),
    equalize: oneOf('equalize', values.equalize, ['global', 'clahe', 'none'] as const),
    mask: values.mask,
    noMask: values['no-mask'] === true,
    frame,
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be ${allowed.join('|')}, got '${value}'`)
  return value as T
}
