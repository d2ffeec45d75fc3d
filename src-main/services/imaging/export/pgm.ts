/**
 * Netpbm export of stored sample values (PGM for grey, PPM for colour): the one lossless, header-light
 * format every image tool reads, so a decoder's output can be compared byte for byte with another toolkit's.
 */

/** What {@link encodeNetpbm} needs from a decoded image. */
export interface StoredSamples {
  width: number
  height: number
  /** 1 (grey → P5) or 3 (RGB → P6). */
  samplesPerPixel: number
  bitsStored: number
  pixelRepresentation: 'unsigned' | 'signed'
  /** Stored values, row-major, samples interleaved, already masked to `bitsStored` and sign-extended. */
  stored: Int32Array
}

/** The header values chosen for a sample array, exposed so tests and reports can state them. */
export interface NetpbmLayout {
  magic: 'P5' | 'P6'
  maxval: number
  /** Added to every stored value before writing: 2^(bitsStored−1) for signed data, else 0. */
  offset: number
  /** 1 when maxval < 256, else 2 (big-endian), as the Netpbm specification requires. */
  bytesPerSample: 1 | 2
}

/** Netpbm cannot hold more than 16 bits per sample (maxval ≤ 65535). */
const MAX_BITS = 16

/**
 * The Netpbm layout for a stored-value array: maxval = 2^bitsStored − 1 so the file says how many bits
 * are significant. Signed data is offset by 2^(bitsStored−1) (the PGM format has no negative samples); the
 * offset is written in a comment line so the original values can be recovered.
 */
export function netpbmLayout(image: Pick<StoredSamples, 'samplesPerPixel' | 'bitsStored' | 'pixelRepresentation'>): NetpbmLayout {
  if (image.samplesPerPixel !== 1 && image.samplesPerPixel !== 3) {
    throw new RangeError(`Netpbm export: ${image.samplesPerPixel} samples per pixel (only 1 or 3 can be written)`)
  }
  if (!Number.isInteger(image.bitsStored) || image.bitsStored < 1 || image.bitsStored > MAX_BITS) {
    throw new RangeError(`Netpbm export: ${image.bitsStored} bits stored (PGM holds at most ${MAX_BITS})`)
  }
  const maxval = 2 ** image.bitsStored - 1
  return {
    magic: image.samplesPerPixel === 1 ? 'P5' : 'P6',
    maxval,
    offset: image.pixelRepresentation === 'signed' ? 2 ** (image.bitsStored - 1) : 0,
    bytesPerSample: maxval < 256 ? 1 : 2,
  }
}

/**
 * Encode stored values as a binary PGM (P5) or PPM (P6). Values are written unchanged for unsigned data;
 * signed data is written as value + 2^(bitsStored−1), stated in a `# signed:` comment. A value outside
 * 0..maxval after the offset (impossible for a decoder that masks to Bits Stored) throws rather than wraps.
 */
export function encodeNetpbm(image: StoredSamples): Uint8Array {
  const layout = netpbmLayout(image)
  const count = image.width * image.height * image.samplesPerPixel
  if (image.stored.length !== count) {
    throw new RangeError(`Netpbm export: ${image.stored.length} samples for ${image.width}x${image.height}x${image.samplesPerPixel}`)
  }
  const comments = [`# cxr stored values, ${image.bitsStored} bits stored, ${image.pixelRepresentation}`]
  if (layout.offset) comments.push(`# signed: written as stored + ${layout.offset}; stored = sample - ${layout.offset}`)
  const header = new TextEncoder().encode(`${layout.magic}\n${comments.join('\n')}\n${image.width} ${image.height}\n${layout.maxval}\n`)
  const out = new Uint8Array(header.length + count * layout.bytesPerSample)
  out.set(header)
  const { stored } = image
  const { offset, maxval } = layout
  let position = header.length
  for (let i = 0; i < count; i++) {
    const value = stored[i] + offset
    if (value < 0 || value > maxval) {
      throw new RangeError(`Netpbm export: sample ${i} is ${stored[i]}, outside ${image.bitsStored}-bit ${image.pixelRepresentation} range`)
    }
    if (layout.bytesPerSample === 2) {
      // Netpbm's 2-byte samples are big-endian, most significant byte first.
      out[position++] = value >>> 8
      out[position++] = value & 0xff
    } else {
      out[position++] = value
    }
  }
  return out
}
