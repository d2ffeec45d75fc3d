/**
 * Reading the marker segments of a JPEG-family stream (JPEG, JPEG-LS) without decoding it: the
 * coding process, so a frame goes to the codec that matches its actual data rather than to what
 * the transfer syntax claims (files labelled 4.50 holding 12-bit data, or 4.51 holding 8-bit data,
 * exist in archives); and the frame size, so it can be checked against the DICOM header before any
 * codec allocates for it.
 */

/** The coding process and size found in the frame header (SOFn) of a JPEG-family stream. */
export interface JpegFrameKind {
  /** 'dct' for SOF0/1 Huffman DCT, 'progressive' for SOF2, 'lossless' for SOF3, 'jpeg-ls' for SOF55, 'other' otherwise. */
  process: 'dct' | 'progressive' | 'lossless' | 'jpeg-ls' | 'other'
  /** Sample precision in bits (P of the frame header). */
  precision: number
  /** The SOF marker (e.g. 0xffc1). */
  marker: number
  /** Samples per line (X); 0 only in a damaged header. */
  width: number
  /** Lines (Y); 0 means "given later by a DNL marker". */
  height: number
  /** Components in the frame (Nf). */
  components: number
  /** False when the SOF segment is too short to hold P, Y, X and Nf: the sizes above are then 0. */
  readable: boolean
}

/** One marker segment: the marker's second byte and where its body lies (after the 2-byte length). */
export interface JpegSegment {
  marker: number
  /** First byte of the body. */
  start: number
  /** One past the last byte of the body. */
  end: number
}

/** How a walk over the segments ended. */
export type JpegWalkEnd = 'eoi' | 'stopped' | 'end-of-data' | 'overrun'

/**
 * Visit the marker segments after SOI as libjpeg reads them: fill bytes and garbage between
 * segments are skipped, standalone markers (RSTn, TEM) stepped over. `visit` returns where to go
 * on (a scan's entropy-coded data is for the visitor to step over), 'stop', or nothing to go on
 * after the segment. Ends at EOI, at the end of the data, or at a segment whose length runs past it.
 */
export function walkJpegSegments(data: Uint8Array, visit: (segment: JpegSegment) => number | 'stop' | void): JpegWalkEnd {
  let position = 2
  while (position + 4 <= data.length) {
    if (data[position] !== 0xff) {
      position++
      continue
    }
    const marker = data[position + 1]
    if (marker === 0xd9) return 'eoi'
    if (marker === 0xff) {
      position++
      continue
    }
    if (marker === 0x00 || marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      position += 2
      continue
    }
    const length = (data[position + 2] << 8) | data[position + 3]
    const end = position + 2 + length
    if (length < 2 || end > data.length) return 'overrun'
    const next = visit({ marker, start: position + 4, end })
    if (next === 'stop') return 'stopped'
    position = typeof next === 'number' ? Math.max(next, position + 1) : end
  }
  return position + 2 <= data.length && data[position] === 0xff && data[position + 1] === 0xd9 ? 'eoi' : 'end-of-data'
}

/** Find the frame header (first SOF marker) of a JPEG stream; undefined when there is none before the first scan. */
export function findJpegFrame(data: Uint8Array): JpegFrameKind | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined
  let found: JpegFrameKind | undefined
  walkJpegSegments(data, ({ marker, start, end }) => {
    if (marker === 0xda) return 'stop'
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7
    if (!isSof) return undefined
    const u16 = (p: number) => (p + 1 < end ? (data[p] << 8) | data[p + 1] : 0)
    found = {
      process: processOf(0xff00 | marker),
      precision: start < end ? data[start] : 0,
      marker: 0xff00 | marker,
      height: u16(start + 1),
      width: u16(start + 3),
      components: start + 5 < end ? data[start + 5] : 0,
      readable: end - start >= 6,
    }
    return 'stop'
  })
  return found
}

/**
 * True when the stream holds its End Of Image marker, ignoring the zero bytes DICOM pads odd
 * fragments with. Entropy-coded data never contains FF D9 (an FF there is followed by 00 or an
 * RSTn), so this is how a codestream that was cut short is told from a whole one without decoding it.
 */
export function hasEndOfImage(data: Uint8Array): boolean {
  let end = data.length
  while (end > 0 && data[end - 1] === 0x00) end--
  // A few encoders write bytes after EOI (comments, garbage); look a little further back than the last two bytes.
  for (let p = end - 2; p >= Math.max(0, end - 64); p--) {
    if (data[p] === 0xff && data[p + 1] === 0xd9) return true
  }
  return false
}

function processOf(marker: number): JpegFrameKind['process'] {
  if (marker === 0xffc0 || marker === 0xffc1) return 'dct'
  if (marker === 0xffc2) return 'progressive'
  if (marker === 0xffc3) return 'lossless'
  if (marker === 0xfff7) return 'jpeg-ls'
  return 'other'
}
