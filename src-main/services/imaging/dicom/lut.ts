/**
 * The grey-level transforms a file carries: Modality LUT (Rescale Slope/Intercept or Modality
 * LUT Sequence) and VOI (windows, VOI LUT Sequence, VOI LUT Function). Reading them and applying
 * the Modality LUT live together because both read the same LUT encoding (PS3.3 C.11.1 / C.11.2).
 */
import type { DataSet } from 'dicom-parser'
import type { LookupTable, PixelBuffers, RescaleSettings, VoiLutFunction, VoiSettings, WindowSetting } from '@shared/imaging/types'

/** The Modality LUT of a file: a rescale, and a LUT when the file has a Modality LUT Sequence. */
export interface ModalityTransform {
  rescale: RescaleSettings
  lut?: LookupTable
}

/** Read Rescale Slope/Intercept/Type and the first Modality LUT Sequence item. */
export function readModalityTransform(dataSet: DataSet, signedInput: boolean, warnings: string[]): ModalityTransform {
  let slope = dataSet.floatString('x00281053') ?? 1
  const interceptValue = dataSet.floatString('x00281052') ?? 0
  const intercept = Number.isFinite(interceptValue) ? interceptValue : 0
  if (!Number.isFinite(slope) || slope === 0) {
    warnings.push(`Rescale Slope '${dataSet.string('x00281053')}' is unusable: using 1`)
    slope = 1
  }
  const type = dataSet.string('x00281054')
  const rescale: RescaleSettings = { slope, intercept, ...(type ? { type } : {}) }
  const item = dataSet.elements.x00283000?.items?.[0]?.dataSet
  const lut = item ? readLookupTable(item, signedInput, warnings, 'Modality LUT') : undefined
  if (lut && dataSet.elements.x00281053) warnings.push('both Rescale Slope and a Modality LUT Sequence are present: using the LUT')
  return lut ? { rescale, lut } : { rescale }
}

/** Modality values of an image and their range. */
export interface ModalityPixels {
  pixels: Float32Array
  /** Smallest and largest value of `pixels` (as stored in float32); 0/0 for an empty image. */
  range: { min: number; max: number }
}

/**
 * Stored values to modality values (e.g. HU). A LUT maps out-of-range inputs to its first or
 * last entry, as PS3.3 C.11.1.1 prescribes. The range comes from the same pass: a second pass over
 * millions of pixels only to find it costs as much as the mapping. Every value is written, so a lent array from
 * `pixelBuffers` needs no clearing.
 */
export function applyModalityLut(stored: Int32Array, transform: ModalityTransform, pixelBuffers?: PixelBuffers): ModalityPixels {
  const out = pixelBuffers ? pixelBuffers.float32(stored.length) : new Float32Array(stored.length)
  const lut = transform.lut
  const { slope, intercept } = transform.rescale
  if (lut) return { pixels: out, range: throughLut(stored, out, lut) }
  if (slope === 1 && intercept === 0) return { pixels: out, range: widen(stored, out) }
  return { pixels: out, range: rescale(stored, out, slope, intercept) }
}

// One small function per mapping: V8 optimises such tight loops better than one loop with a branch inside.

function throughLut(stored: Int32Array, out: Float32Array, lut: LookupTable): { min: number; max: number } {
  const last = lut.data.length - 1
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < stored.length; i++) {
    let index = stored[i] - lut.firstInputValue
    if (index < 0) index = 0
    else if (index > last) index = last
    const value = Math.fround(lut.data[index])
    out[i] = value
    if (value < min) min = value
    if (value > max) max = value
  }
  return rangeOf(min, max)
}

function widen(stored: Int32Array, out: Float32Array): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < stored.length; i++) {
    const value = stored[i]
    out[i] = value
    if (value < min) min = value
    if (value > max) max = value
  }
  // Compared as integers above; the pixels hold them as float32 (the same below 2^24).
  return rangeOf(Math.fround(min), Math.fround(max))
}

function rescale(stored: Int32Array, out: Float32Array, slope: number, intercept: number): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < stored.length; i++) {
    const value = Math.fround(stored[i] * slope + intercept)
    out[i] = value
    if (value < min) min = value
    if (value > max) max = value
  }
  return rangeOf(min, max)
}

function rangeOf(min: number, max: number): { min: number; max: number } {
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 }
}

/** Read windows, VOI LUT Sequence items and the VOI LUT Function. */
export function readVoi(dataSet: DataSet, signedInput: boolean, warnings: string[]): VoiSettings {
  const windows: WindowSetting[] = []
  const count = Math.min(dataSet.numStringValues('x00281050') ?? 0, dataSet.numStringValues('x00281051') ?? 0)
  for (let i = 0; i < count; i++) {
    const center = dataSet.floatString('x00281050', i)
    const width = dataSet.floatString('x00281051', i)
    if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0) {
      warnings.push(`window ${i + 1} (center '${dataSet.string('x00281050', i)}', width '${dataSet.string('x00281051', i)}') is invalid: ignored`)
      continue
    }
    const explanation = dataSet.string('x00281055', i)
    windows.push(explanation ? { center, width, explanation } : { center, width })
  }
  const luts: LookupTable[] = []
  for (const item of dataSet.elements.x00283010?.items ?? []) {
    const lut = item.dataSet ? readLookupTable(item.dataSet, signedInput, warnings, 'VOI LUT') : undefined
    if (lut) luts.push(lut)
  }
  const declared = (dataSet.string('x00281056') ?? 'LINEAR').trim().toUpperCase()
  let fn: VoiLutFunction = 'LINEAR'
  if (declared === 'LINEAR_EXACT' || declared === 'SIGMOID' || declared === 'LINEAR') fn = declared
  else warnings.push(`VOI LUT Function '${declared}' is unknown: using LINEAR`)
  return { windows, luts, function: fn }
}

/**
 * One LUT item: LUT Descriptor (entries, first input value, bits per entry) and LUT Data. Entry
 * count 0 means 65536; the first value is signed when the input values are (PS3.3 C.11.1.1.1).
 * 8-bit tables may come packed two entries per 16-bit word.
 */
export function readLookupTable(
  item: DataSet,
  signedInput: boolean,
  warnings: string[],
  what: string,
  descriptorTag = 'x00283002',
  dataTag = 'x00283006',
): LookupTable | undefined {
  const descriptor = item.elements[descriptorTag]
  const dataElement = item.elements[dataTag]
  if (!descriptor || !dataElement || descriptor.length < 6) {
    warnings.push(`${what} item lacks LUT Descriptor or LUT Data: ignored`)
    return undefined
  }
  const entries = item.uint16(descriptorTag, 0) || 65536
  let firstInputValue = item.uint16(descriptorTag, 1) ?? 0
  if (signedInput && firstInputValue >= 32768) firstInputValue -= 65536
  let bitsPerEntry = item.uint16(descriptorTag, 2) ?? 16
  if (bitsPerEntry < 1 || bitsPerEntry > 16) {
    warnings.push(`${what} bits per entry ${bitsPerEntry} is invalid: using 16`)
    bitsPerEntry = 16
  }
  const available = Math.min(dataElement.length, item.byteArray.length - dataElement.dataOffset)
  const data = new Uint16Array(entries)
  if (available >= entries * 2) {
    const parser = item.byteArrayParser
    for (let i = 0; i < entries; i++) data[i] = parser.readUint16(item.byteArray, dataElement.dataOffset + 2 * i)
  } else if (available >= entries && bitsPerEntry <= 8) {
    for (let i = 0; i < entries; i++) data[i] = item.byteArray[dataElement.dataOffset + i]
  } else {
    warnings.push(`${what} has ${available} bytes of data for ${entries} entries: ignored`)
    return undefined
  }
  const explanation = item.string('x00283003')
  return { firstInputValue, bitsPerEntry, data, ...(explanation ? { explanation } : {}) }
}
