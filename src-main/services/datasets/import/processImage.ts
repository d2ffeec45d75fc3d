import sharp from 'sharp'
import { renderDisplayImage } from '@shared/imaging/displayLut'
import { isImagingError } from '@shared/imaging/errors'
import type { ImagePhi } from '@shared/library/summaries'
import { CacheWriteError } from '../../library/cacheFiles'
import { readAndHashFile } from '../../library/hashing'
import type { FileDigest } from '../../library/hashing'
import type { NewIssue } from '../../library/importJobRepository'
import type { ImagePlan } from './plan'
import { rejected } from './outcomes'
import type { DecodedForImport, ItemOutcome, ProcessContext } from './outcomes'

/** One planned image file. */
export interface ImageItem {
  ordinal: number
  sourceKey: string
  path: string
  plan: ImagePlan
}

/**
 * Process one image file outside any transaction: hash it, read its size (and, for DICOM, its tags), write its
 * thumbnail. Nothing here touches the database, so a crash or cancel at any point leaves nothing half-written:
 * the item is simply still pending. Expected failures (missing, unreadable) become outcomes naming the file;
 * an abort rethrows so the item stays pending.
 * @param item the planned file.
 * @param context the job's tools and choices.
 */
export async function processImage(planned: ImageItem, context: ProcessContext): Promise<ItemOutcome> {
  let item: ImageItem
  try {
    // Checked now, not when planned: a link placed in the folder since then must not lead the read elsewhere.
    item = { ...planned, path: await context.readable(planned.path, 'image') }
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    return rejected(planned.ordinal, planned.sourceKey, 'failed', failure(missing ? 'file-missing' : 'outside-folder', planned, (error as Error).message))
  }
  let digest: FileDigest
  let bytes: Buffer
  try {
    ;({ digest, bytes } = await readAndHashFile(item.path, context.signal))
  } catch (error) {
    if (context.signal.aborted) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return rejected(item.ordinal, item.sourceKey, 'failed', failure('file-missing', item, `${item.path}: file not found`))
    return rejected(item.ordinal, item.sourceKey, 'failed', failure('unreadable', item, `${item.path}: cannot be read (${(error as Error).message})`))
  }
  const format = sniffRaster(digest.head)
  try {
    if (format) return await processRaster(item, digest, bytes, format, context)
    return await processDicom(item, digest, bytes, context)
  } catch (error) {
    // Aborts and cache write errors (disk full while writing a thumbnail) are the job's problem, not the file's.
    if (context.signal.aborted || error instanceof CacheWriteError) throw error
    const detail = isImagingError(error) ? error.message : `${item.path}: ${(error as Error).message}`
    return rejected(item.ordinal, item.sourceKey, 'failed', failure('unreadable', item, detail))
  }
}

async function processRaster(item: ImageItem, digest: FileDigest, bytes: Buffer, format: 'png' | 'jpeg', context: ProcessContext): Promise<ItemOutcome> {
  const known = context.findImage(item.sourceKey)
  if (known && known.contentHash === digest.contentHash && known.format === format && !(context.thumbnails && !context.thumbnails.has(digest.contentHash))) {
    // A re-import of an unchanged file: the hash proves the content, so probing it again would only cost time.
    const image = { ...common(item, digest), format, width: known.width, height: known.height, patientId: item.plan.patientId ?? item.sourceKey }
    return { kind: 'image', ordinal: item.ordinal, sourceKey: item.sourceKey, image, warnings: [] }
  }
  let width: number | undefined
  let height: number | undefined
  try {
    ;({ width, height } = await sharp(bytes, { failOn: 'error', limitInputPixels: 2 ** 26 }).metadata())
    if (context.thumbnails) await context.thumbnails.fromFile(digest.contentHash, bytes)
  } catch (error) {
    if (context.signal.aborted || error instanceof CacheWriteError) throw error
    throw new Error(`not a readable ${format.toUpperCase()} image (${(error as Error).message})`)
  }
  if (!width || !height) throw new Error(`the ${format.toUpperCase()} header has no image size`)
  return {
    kind: 'image',
    ordinal: item.ordinal,
    sourceKey: item.sourceKey,
    image: { ...common(item, digest), format, width, height, patientId: item.plan.patientId ?? item.sourceKey },
    warnings: [],
  }
}

async function processDicom(item: ImageItem, digest: FileDigest, bytes: Buffer, context: ProcessContext): Promise<ItemOutcome> {
  const decoded = await context.decode(item.path, bytes)
  // The display image is all the import needs of the pixels; they go back to the decoder's pool at once.
  let grey: Uint8ClampedArray | undefined
  const modality = decoded.tags.modality?.trim()
  const allowed = context.dicom.modalities
  const excluded = !!allowed && !allowed.includes(modality ?? '')
  try {
    if (context.thumbnails && !excluded) grey = renderDisplayImage(decoded)
  } finally {
    decoded.release?.()
  }
  if (excluded && allowed) {
    return rejected(item.ordinal, item.sourceKey, 'skipped', {
      code: 'modality-excluded',
      severity: 'info',
      file: item.path,
      message: `${item.sourceKey}: modality ${modality || '(none)'} is not among ${allowed.join(', ')}`,
    })
  }
  // What the decoder noticed but could read past (damaged data after the pixels, an impossible High Bit...) is kept
  // as the image's issues. Damage that leaves the pixels wrong (a cut or corrupt codestream) is an ImagingError
  // instead, so such a file fails here and never reaches a composition (see the imaging service's damage policy).
  const warnings: NewIssue[] = (decoded.warnings ?? []).map((warning) => ({
    code: 'decode-warning',
    severity: 'warning',
    file: item.path,
    ordinal: item.ordinal,
    message: `${item.sourceKey}: ${warning}`,
  }))
  const pseudonymise = context.dicom.pseudonymise
  const studyUid = decoded.patient.studyInstanceUid?.trim()
  let patientId = item.plan.patientId
  if (patientId === undefined) {
    const raw = decoded.patient.patientId?.trim()
    // Without a Patient ID the study is the best grouping the file offers: images of one study are one patient.
    const basis = raw || (studyUid ? `study:${studyUid}` : `file:${item.sourceKey}`)
    if (!raw) {
      warnings.push({
        code: 'patient-missing',
        severity: 'warning',
        file: item.path,
        ordinal: item.ordinal,
        message: `${item.sourceKey}: no Patient ID in the header; ${studyUid ? 'its study' : 'the file'} stands for the patient`,
      })
    }
    patientId = pseudonymise ? context.pseudonymiser.pseudonym('patient', basis) : basis
  }
  if (context.thumbnails && grey) await context.thumbnails.fromGrey(digest.contentHash, grey, decoded.width, decoded.height)
  const view = item.plan.view ?? (decoded.tags.viewPosition?.trim() || undefined)
  const image = {
    ...common(item, digest),
    format: 'dicom' as const,
    width: decoded.width,
    height: decoded.height,
    patientId,
    ...(view ? { view } : {}),
    ...(studyUid ? { studyId: pseudonymise ? context.pseudonymiser.pseudonym('study', studyUid) : studyUid } : {}),
    attributes: { ...item.plan.attributes, ...descriptiveTags(decoded) },
  }
  return { kind: 'image', ordinal: item.ordinal, sourceKey: item.sourceKey, image, phi: phiOf(decoded), warnings }
}

function common(item: ImageItem, digest: FileDigest) {
  const image = { path: item.path, contentHash: digest.contentHash, byteSize: digest.byteSize, label: item.plan.label, attributes: item.plan.attributes }
  return item.plan.view ? { ...image, view: item.plan.view } : image
}

/** Non-identifying tags worth keeping with the image (filters, bias checks, reports). */
function descriptiveTags(decoded: DecodedForImport): Record<string, string> {
  const tags: Record<string, string | undefined> = {
    modality: decoded.tags.modality,
    bodyPartExamined: decoded.tags.bodyPartExamined,
    laterality: decoded.tags.laterality,
    manufacturer: decoded.tags.manufacturer,
    manufacturerModelName: decoded.tags.manufacturerModelName,
    photometric: decoded.photometricInFile,
    bitsStored: String(decoded.bitsStored),
    transferSyntax: decoded.transferSyntax.name,
  }
  return Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => !!entry[1]?.trim()).map(([key, value]) => [key, value.trim()]))
}

function phiOf(decoded: DecodedForImport): ImagePhi {
  return Object.fromEntries(Object.entries(decoded.patient).filter((entry) => typeof entry[1] === 'string' && entry[1] !== '')) as ImagePhi
}

function sniffRaster(head: Buffer): 'png' | 'jpeg' | undefined {
  if (head.length >= 8 && head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return 'png'
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  return undefined
}

function failure(code: NewIssue['code'], item: ImageItem, message: string): NewIssue {
  return { code, severity: 'error', file: item.path, message: item.plan.line ? `${message} (CSV line ${item.plan.line})` : message }
}
