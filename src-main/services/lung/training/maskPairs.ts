/**
 * Finding image/mask pairs on disk, in the layouts lung-segmentation sets come in:
 * - an index CSV naming image and mask per row (lungmask-radiologist, covid-chestxray/lung-masks-v7);
 * - an image folder and a mask folder matched by file name, allowing mask suffixes such as `_mask`;
 * - Montgomery County: `CXR_png/` with `ManualMask/leftMask/` and `ManualMask/rightMask/` of the same names,
 *   merged by union (Shenzhen's single `mask/` folder is the previous layout).
 */
import { readdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { parse } from 'csv-parse/sync'

/** One image with its lung mask file(s). */
export interface MaskPair {
  /** `sourceId/fileName`: unique across sources. */
  id: string
  sourceId: string
  /** The image's file name, the key patient tables use. */
  fileName: string
  imagePath: string
  /** One mask, or several (left + right lung) whose union is the mask. */
  maskPaths: string[]
}

/** Pairs found, and rows that could not be used with the reason. */
export interface MaskPairListing {
  pairs: MaskPair[]
  skipped: Array<{ file: string; reason: string }>
}

/** Where an index-CSV source is. */
export interface IndexCsvSource {
  sourceId: string
  indexCsv: string
  /** Folder the image column is relative to. */
  imagesDir: string
  /** Folder the mask column is relative to (default: the CSV's folder). */
  masksDir?: string
  imageColumn?: string
  maskColumn?: string
}

/** Pairs listed in an index CSV (header row required; CRLF or LF; quoted fields allowed). */
export async function listIndexCsvPairs(source: IndexCsvSource): Promise<MaskPairListing> {
  const imageColumn = source.imageColumn ?? 'image'
  const maskColumn = source.maskColumn ?? 'mask'
  const masksDir = source.masksDir ?? dirname(source.indexCsv)
  const rows = parse(await readFile(source.indexCsv, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>
  const listing: MaskPairListing = { pairs: [], skipped: [] }
  for (const row of rows) {
    const image = row[imageColumn]
    const mask = row[maskColumn]
    if (!image || !mask) {
      listing.skipped.push({ file: source.indexCsv, reason: `a row lacks the '${imageColumn}' or '${maskColumn}' column` })
      continue
    }
    addPair(listing, source.sourceId, resolve(source.imagesDir, image), [resolve(masksDir, mask)])
  }
  return listing
}

/** Where a folder-pair source is. */
export interface MaskFolderSource {
  sourceId: string
  imagesDir: string
  masksDir: string
  /** Mask file stems may end with one of these after the image's stem (default `_mask`, `_lungs`, `-mask`). */
  suffixes?: readonly string[]
}

const RASTER_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom', ''])

/** Pairs by file name: `x.png` ↔ `x.png`, `x_mask.png`, … in the mask folder. */
export async function listMaskFolderPairs(source: MaskFolderSource): Promise<MaskPairListing> {
  const suffixes = [...(source.suffixes ?? ['_mask', '_lungs', '-mask']), ''].sort((a, b) => b.length - a.length)
  const masksByStem = new Map<string, string>()
  for (const file of await listImageFiles(source.masksDir)) {
    const stem = stemOf(file)
    const suffix = suffixes.find((candidate) => stem.endsWith(candidate)) ?? ''
    masksByStem.set(stem.slice(0, stem.length - suffix.length), join(source.masksDir, file))
  }
  const listing: MaskPairListing = { pairs: [], skipped: [] }
  for (const file of await listImageFiles(source.imagesDir)) {
    const mask = masksByStem.get(stemOf(file))
    if (mask) addPair(listing, source.sourceId, join(source.imagesDir, file), [mask])
    else listing.skipped.push({ file: join(source.imagesDir, file), reason: 'no mask with this name' })
  }
  return listing
}

/** Where a Montgomery-style source is: the set's root folder. */
export interface MontgomerySource {
  sourceId: string
  root: string
  /** Default `CXR_png`. */
  imagesFolder?: string
}

/** Montgomery County layout: left and right lung masks per image, merged by union when read. */
export async function listMontgomeryPairs(source: MontgomerySource): Promise<MaskPairListing> {
  const imagesDir = join(source.root, source.imagesFolder ?? 'CXR_png')
  const left = join(source.root, 'ManualMask', 'leftMask')
  const right = join(source.root, 'ManualMask', 'rightMask')
  const listing: MaskPairListing = { pairs: [], skipped: [] }
  for (const file of await listImageFiles(imagesDir)) {
    const halves = [join(left, file), join(right, file)]
    const missing = halves.filter((path) => !existsSync(path))
    if (missing.length > 0) listing.skipped.push({ file: join(imagesDir, file), reason: `missing ${missing.map((path) => basename(dirname(path))).join(' and ')}` })
    else addPair(listing, source.sourceId, join(imagesDir, file), halves)
  }
  return listing
}

function addPair(listing: MaskPairListing, sourceId: string, imagePath: string, maskPaths: string[]): void {
  const missing = [imagePath, ...maskPaths].find((path) => !existsSync(path))
  if (missing) {
    listing.skipped.push({ file: missing, reason: 'file not found' })
    return
  }
  const fileName = basename(imagePath)
  listing.pairs.push({ id: `${sourceId}/${fileName}`, sourceId, fileName, imagePath, maskPaths })
}

async function listImageFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && RASTER_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort()
}

function stemOf(file: string): string {
  return file.slice(0, file.length - extname(file).length)
}
