import { writeFile } from 'node:fs/promises'
import { renderDisplayImage, resolveVoi, type DisplayOptions } from '@shared/imaging/displayLut'
import { decodeImageFile } from '../../services/imaging/index'
import { describeImage, encodeNetpbm, writeGreyPng } from '../../services/imaging/export/index'
import { parseCommandLine, UsageError, type CliCommand } from '../command'

/**
 * `cxr decode`: one radiograph to files a person or another toolkit can check: the displayed image (what
 * the viewer shows), the stored values (what the file holds, bit for bit) and the metadata.
 */
export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'decode a DICOM/PNG/JPEG file: displayed image as PNG, stored values as PGM, metadata as JSON',
  usage: 'cxr decode FILE [--out OUT.png] [--window C,W] [--frame N] [--raw OUT.pgm] [--json] [--phi]',
  async run(args, { io }) {
    const options = parseOptions(args)
    // Decoding needs no app services (no data folder, no engine): nothing else is started.
    const image = await decodeImageFile(options.file, { frame: options.frame })
    const display: DisplayOptions = options.window ? { window: options.window } : {}
    if (options.out) {
      if (image.samplesPerPixel !== 1) io.stderr(`cxr decode: ${options.file} is colour; the PNG shows its luma (BT.601)\n`)
      await writeGreyPng(options.out, renderDisplayImage(image, display), image.width, image.height)
    }
    if (options.raw) {
      // Netpbm has no colour PGM: colour stored values go to a PPM (P6) whatever the file is called.
      if (image.samplesPerPixel !== 1) io.stderr(`cxr decode: ${options.file} is colour; --raw writes a PPM (P6) of its RGB samples\n`)
      await writeFile(options.raw, encodeNetpbm(image))
    }
    for (const warning of image.warnings) io.stderr(`cxr decode: ${options.file}: ${warning}\n`)
    if (options.json) {
      const metadata = describeImage(options.file, image, resolveVoi(image, display), options.phi)
      io.stdout(`${JSON.stringify(metadata, null, 2)}\n`)
    }
    return 0
  },
}

interface DecodeCliOptions {
  file: string
  out?: string
  raw?: string
  json: boolean
  phi: boolean
  frame: number
  window?: { center: number; width: number; explanation: string }
}

function parseOptions(args: string[]): DecodeCliOptions {
  const { values, positionals } = parseCommandLine(args, {
    out: { type: 'string' },
    raw: { type: 'string' },
    json: { type: 'boolean', default: false },
    phi: { type: 'boolean', default: false },
    frame: { type: 'string', default: '0' },
    window: { type: 'string' },
  }, true)
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give one FILE to decode' : `one FILE at a time, got ${positionals.length}`)
  if (!values.out && !values.raw && !values.json) throw new UsageError('nothing to write: give --out, --raw and/or --json')
  if (values.phi && !values.json) throw new UsageError('--phi only changes --json output')
  if (values.window !== undefined && !values.out && !values.json) throw new UsageError('--window only changes --out (and the display entry of --json)')
  return {
    file: positionals[0],
    out: values.out,
    raw: values.raw,
    json: values.json,
    phi: values.phi,
    frame: parseFrame(values.frame),
    window: values.window === undefined ? undefined : parseWindow(values.window),
  }
}

/** Frames are 0-based, as in DecodeOptions; the decoder itself rejects an index past the last frame. */
function parseFrame(text: string): number {
  const frame = Number(text)
  if (text.trim() === '' || !Number.isInteger(frame) || frame < 0) throw new UsageError(`--frame must be an integer ≥ 0 (0-based), got '${text}'`)
  return frame
}

/** `C,W` in modality units (after rescale), as DICOM Window Center / Width. */
function parseWindow(text: string): { center: number; width: number; explanation: string } {
  const parts = text.split(',')
  const [center, width] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)))
  if (parts.length !== 2 || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0) {
    throw new UsageError(`--window must be CENTER,WIDTH with WIDTH > 0, got '${text}'`)
  }
  return { center, width, explanation: 'from --window' }
}
