/**
 * Reading the frame header of a JPEG-family stream without decoding it, so a frame goes to the
 * codec that matches its actual coding process rather than to what the transfer syntax claims
 * (files labelled 4.50 holding 12-bit data, or 4.51 holding 8-bit data, exist in archives).
 */

/** The coding process found in a JPEG-family stream. */
export interface JpegFrameKind {
  /** 'dct' for SOF0/1/2 Huffman DCT, 'lossless' for SOF3, 'jpeg-ls' for SOF55, 'other' otherwise. */
  process: 'dct' | 'progressive' | 'lossless' | 'jpeg-ls' | 'other'
  /** Sample precision in bits (P of the frame header). */
  precision: number
  /** The SOF marker (e.g. 0xffc1). */
  marker: number
}

/** Find the first SOF marker of a JPEG stream; undefined when the stream has none. */
export function findJpegFrame(data: Uint8Array): JpegFrameKind | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined
  let position = 2
  while (position + 4 <= data.length) {
    if (data[position] !== 0xff) {
      position++
      continue
    }
    const marker = 0xff00 | data[position + 1]
    if (marker === 0xffff) {
      position++ // fill byte
      continue
    }
    if (marker === 0xffd8 || (marker >= 0xffd0 && marker <= 0xffd7) || marker === 0xff01 || marker === 0xff00) {
      position += 2
      continue
    }
    const length = (data[position + 2] << 8) | data[position + 3]
    const isSof = (marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc) || marker === 0xfff7
    if (isSof) {
      const precision = position + 4 < data.length ? data[position + 4] : 0
      return { process: processOf(marker), precision, marker }
    }
    if (marker === 0xffda || marker === 0xffd9) return undefined
    position += 2 + length
  }
  return undefined
}

function processOf(marker: number): JpegFrameKind['process'] {
  if (marker === 0xffc0 || marker === 0xffc1) return 'dct'
  if (marker === 0xffc2) return 'progressive'
  if (marker === 0xffc3) return 'lossless'
  if (marker === 0xfff7) return 'jpeg-ls'
  return 'other'
}
