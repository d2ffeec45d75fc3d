/**
 * The lung training set: image/mask pairs from several sources, read once, checked, de-duplicated by content
 * and split by patient into train / validation / held-out test.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { GreyImage, ResizeMode } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import { splitByPatient } from '@shared/datasets/splitByPatient'
import type { ImageRecord } from '@shared/datasets/types'
import { diceCoefficient, fingerprintDistance, imageFingerprint, isSameImage, type BinaryMask, type ImageFingerprint } from '@shared/lung'
import { decodeImageBuffer } from '../../imaging/index'
import { fitMaskToImage, readBinaryMask } from './maskFiles'
import type { MaskPair, MaskPairListing } from './maskPairs'
import { prepareMaskTarget, prepareUNetInput } from '../model/unetInput'

/** A mask source and what the model card should say about it. */
export interface LungMaskSource {
  id: string
  /** Where it is, for the card (a path relative to the data root reads best). */
  location: string
  /** What its masks outline, in words: annotation conventions differ between sets. */
  convention: string
  licence: string
  /** Lists the pairs (see maskPairs.ts). */
  list: () => Promise<MaskPairListing>
  /** Patient id of an image file name, when the source has one. */
  patientOf?: (fileName: string) => string | undefined
  /**
   * Where the radiograph itself comes from (a journal, a teaching site), when the source knows: images of one
   * mask set can come from many places, and held-out scores are also given per image source.
   */
  originOf?: (fileName: string) => string | undefined
}

/** One usable pair, prepared at the network size. */
export interface LungSample {
  pair: MaskPair
  /** SHA-256 of the image file. */
  contentHash: string
  patientId: string
  width: number
  height: number
  /** Network-sized input and 0/1 mask target. */
  image: GreyImage
  mask: GreyImage
  fingerprint: ImageFingerprint
}

/** A pair dropped as a copy of another, and how the two masks agree. */
export interface DuplicateRecord {
  kept: string
  dropped: string
  rule: 'same-file-hash' | 'same-pixels'
  fingerprintDistance: number
  /** Dice between the two sources' masks at the image's size (null when they cannot be compared). */
  maskDice: number | null
}

/** The data, ready to train on. */
export interface LungDataset {
  train: LungSample[]
  validation: LungSample[]
  test: LungSample[]
  duplicates: DuplicateRecord[]
  excluded: Array<{ file: string; source: string; reason: string }>
  /** Smallest fingerprint distance between two images kept as distinct: how close the duplicate rule came. */
  closestDistinctDistance: number
}

/**
 * Validation and held-out patients named in advance, so that models trained years apart are scored on the same
 * patients; every other patient trains.
 */
export interface FixedPatientSplit {
  /** Where the lists come from, for the model card. */
  origin: string
  test: readonly string[]
  validation: readonly string[]
}

/** Options of {@link loadLungDataset}. */
export interface LungDatasetOptions {
  /** In priority order: when an image is in two sources, the first source's mask is kept. */
  sources: readonly LungMaskSource[]
  inputSize: number
  resizeMode: ResizeMode
  /** Share of images held out for the final test (by patient). */
  testFraction: number
  /** Share of all images used for validation / early stopping (by patient, from what the test left). */
  validationFraction: number
  seed: number
  /**
   * Fixed validation and held-out patients instead of the seeded split (`testFraction`, `validationFraction`
   * and `seed` then play no part in the split). Every listed patient must be in the data.
   */
  fixedSplit?: FixedPatientSplit
  /** Use at most this many pairs per source (quick runs and tests). */
  limitPerSource?: number
  log?: (line: string) => void
  signal?: AbortSignal
}

/**
 * One column of CSV tables keyed by file name (covid-chestxray's `frontal_xray_labels.csv`, `metadata.csv`): by
 * default the patient id.
 */
export async function readColumnByFileName(csvPaths: readonly string[], fileColumn = 'filename', valueColumn = 'patientid'): Promise<Map<string, string>> {
  const table = new Map<string, string>()
  for (const path of csvPaths) {
    const rows = parse(await readFile(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>
    for (const row of rows) {
      const file = row[fileColumn]
      const value = row[valueColumn]
      // The first table wins: list the curated one before the raw metadata.
      if (file && value && !table.has(file)) table.set(file, value)
    }
  }
  return table
}

/**
 * Reads every pair, drops unusable ones (unreadable, mask of another crop, empty mask) with their reason,
 * de-duplicates across sources (same file hash, or same pixels re-encoded: the shared data's two mask sets
 * annotate partly the same radiographs, stored as different files) and splits by patient, stratified by
 * source so both annotation conventions are in every split.
 */
export async function loadLungDataset(options: LungDatasetOptions): Promise<LungDataset> {
  const log = options.log ?? (() => {})
  const samples: LungSample[] = []
  const excluded: LungDataset['excluded'] = []
  const duplicates: DuplicateRecord[] = []
  const maskOf = new Map<LungSample, BinaryMask>()
  for (const source of options.sources) {
    const listing = await source.list()
    // Names, not absolute paths: the card ships, and the machine's folders are nobody's business.
    for (const skipped of listing.skipped) excluded.push({ file: `${source.id}/${basename(skipped.file)}`, source: source.id, reason: skipped.reason })
    const pairs = options.limitPerSource === undefined ? listing.pairs : listing.pairs.slice(0, options.limitPerSource)
    log(`${source.id}: ${pairs.length} pairs (${listing.skipped.length} skipped while listing)`)
    for (const pair of pairs) {
      if (options.signal?.aborted) throw options.signal.reason
      const loaded = await loadSample(pair, source, options).catch((error: unknown) => ({ reason: error instanceof Error ? error.message : String(error) }))
      if ('reason' in loaded) {
        excluded.push({ file: pair.id, source: source.id, reason: loaded.reason })
        log(`  excluded ${pair.id}: ${loaded.reason}`)
        continue
      }
      const copyOf = samples.find((other) => other.contentHash === loaded.sample.contentHash || isSameImage(other.fingerprint, loaded.sample.fingerprint))
      if (copyOf) {
        const otherMask = maskOf.get(copyOf) as BinaryMask
        const comparable = otherMask.width === loaded.fullMask.width && otherMask.height === loaded.fullMask.height
        duplicates.push({
          kept: copyOf.pair.id,
          dropped: pair.id,
          rule: copyOf.contentHash === loaded.sample.contentHash ? 'same-file-hash' : 'same-pixels',
          fingerprintDistance: fingerprintDistance(copyOf.fingerprint, loaded.sample.fingerprint),
          maskDice: comparable ? diceCoefficient(otherMask, loaded.fullMask) : null,
        })
        continue
      }
      samples.push(loaded.sample)
      maskOf.set(loaded.sample, loaded.fullMask)
    }
  }
  let closestDistinctDistance = Infinity
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) closestDistinctDistance = Math.min(closestDistinctDistance, fingerprintDistance(samples[i].fingerprint, samples[j].fingerprint))
  }
  log(`${samples.length} distinct images, ${duplicates.length} duplicates dropped, ${excluded.length} excluded`)

  if (options.fixedSplit) return { ...splitByList(samples, options.fixedSplit, options.limitPerSource !== undefined), duplicates, excluded, closestDistinctDistance }
  const records = samples.map((sample) => ({ imageId: sample.pair.id, datasetId: 'patients', patientId: sample.patientId, label: sample.pair.sourceId, contentHash: sample.contentHash, sample }))
  const testSplit = splitByPatient(records, { fraction: options.testFraction, seed: options.seed })
  const validationShare = options.validationFraction / (1 - options.testFraction)
  const validationSplit = splitByPatient(testSplit.remaining, { fraction: validationShare, seed: options.seed + 1 })
  const unwrap = (side: Array<ImageRecord & { sample: LungSample }>) => side.map((record) => record.sample)
  return {
    train: unwrap(validationSplit.remaining),
    validation: unwrap(validationSplit.heldOut),
    test: unwrap(testSplit.heldOut),
    duplicates,
    excluded,
    closestDistinctDistance,
  }
}

/**
 * The fixed split: listed patients to validation and test, the rest to train. A listed patient missing from the
 * data throws (the scores would silently cover fewer patients than the lists say), unless only part of the data
 * was read (`partial`, quick runs).
 */
function splitByList(samples: readonly LungSample[], split: FixedPatientSplit, partial: boolean): Pick<LungDataset, 'train' | 'validation' | 'test'> {
  const test = new Set(split.test)
  const validation = new Set(split.validation)
  const both = split.test.filter((patient) => validation.has(patient))
  if (both.length > 0) throw new Error(`the fixed split names patient(s) ${both.join(', ')} both for validation and for the held-out test`)
  const present = new Set(samples.map((sample) => sample.patientId))
  const missing = [...split.test, ...split.validation].filter((patient) => !present.has(patient))
  if (missing.length > 0 && !partial) {
    throw new Error(`patient(s) ${missing.join(', ')} of the fixed split (${split.origin}) have no usable image with a lung mask: the data differs from the one the split was made on`)
  }
  return {
    train: samples.filter((sample) => !test.has(sample.patientId) && !validation.has(sample.patientId)),
    validation: samples.filter((sample) => validation.has(sample.patientId)),
    test: samples.filter((sample) => test.has(sample.patientId)),
  }
}

async function loadSample(pair: MaskPair, source: LungMaskSource, options: LungDatasetOptions): Promise<{ sample: LungSample; fullMask: BinaryMask } | { reason: string }> {
  const bytes = await readFile(pair.imagePath)
  const contentHash = createHash('sha256').update(bytes).digest('hex')
  const decoded = await decodeImageBuffer(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), pair.imagePath)
  const grey = toPresentationGrey(decoded)
  const fitted = fitMaskToImage(await readBinaryMask(pair.maskPaths), grey.width, grey.height)
  if ('reason' in fitted) return fitted
  const fullMask = fitted.mask
  let area = 0
  for (const value of fullMask.data) if (value !== 0) area++
  if (area === 0) return { reason: 'the mask is empty' }
  const patient = source.patientOf?.(pair.fileName)
  const { image } = prepareUNetInput(grey, options.inputSize, options.resizeMode)
  return {
    fullMask,
    sample: {
      pair,
      contentHash,
      // Without a patient id the image is its own patient: the safe side would be to drop it, the honest one
      // to keep it and say so in the card (patientId starts with 'unknown:').
      patientId: patient ?? `unknown:${pair.id}`,
      width: grey.width,
      height: grey.height,
      image,
      mask: prepareMaskTarget(fullMask, options.inputSize, options.resizeMode),
      fingerprint: imageFingerprint(grey),
    },
  }
}
