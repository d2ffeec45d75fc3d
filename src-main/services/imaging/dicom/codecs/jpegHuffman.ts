/**
 * Huffman tables and the entropy-coded bit stream of sequential DCT JPEG (ITU T.81 Annex C/F),
 * for the 12-bit and lossless decoders. Corrupt data never throws here: like libjpeg, the reader feeds zeros
 * past the end or a marker and counts the damage, so the caller decides what to report.
 *
 * Speed comes from lookup tables indexed by the next FAST_BITS bits of the stream, which resolve the usual
 * short code together with the extra bits that follow it (one table read per sample instead of a code walk
 * and a second read), in the manner of libjpeg-turbo's and stb_image's fast paths. Whatever they do not
 * cover (long codes, large magnitudes, invalid codes) goes through the exact bit-by-bit path, so both give
 * the same values and count the same damage.
 */

const LOOKAHEAD = 9

/** Bits the combined lookups index by: 4096 entries (16 KB) per table stay in the first-level cache. */
const FAST_BITS = 12
const FAST_MASK = (1 << FAST_BITS) - 1

/** A decoding table built from a DHT segment. */
export interface HuffmanTable {
  /** (code length << 8) | symbol for codes up to 9 bits, indexed by the next 9 bits; 0 if longer. */
  lookup: Int32Array
  /** Largest code of each length (index 1..16), -1 when there is none. */
  maxCode: Int32Array
  /** Offset from a code of that length to its index in `symbols`. */
  valueOffset: Int32Array
  symbols: Uint8Array
  /**
   * For a DC or lossless table (class 0), indexed by the next FAST_BITS bits: (difference << 8) | bits used,
   * where the code and its category's extra bits fit in FAST_BITS; 0 otherwise. Empty for AC tables.
   */
  fastDifferences: Int32Array
  /**
   * For an AC table (class 1), indexed by the next FAST_BITS bits: (coefficient << 16) | (run/size symbol << 5)
   * | bits used, where the code and its extra bits fit in FAST_BITS; 0 otherwise. Empty for DC tables.
   */
  fastCoefficients: Int32Array
}

/**
 * Build a table from the 16 code-length counts and the symbols of a DHT segment; `tableClass` 0 (DC and
 * lossless) or 1 (AC) chooses which combined lookup is built.
 */
export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array, tableClass = 0): HuffmanTable {
  const lookup = new Int32Array(1 << LOOKAHEAD)
  const maxCode = new Int32Array(18).fill(-1)
  const valueOffset = new Int32Array(18)
  const fastDifferences = new Int32Array(tableClass === 0 ? 1 << FAST_BITS : 0)
  const fastCoefficients = new Int32Array(tableClass === 0 ? 0 : 1 << FAST_BITS)
  let code = 0
  let index = 0
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1]
    if (count > 0) {
      valueOffset[length] = index - code
      for (let i = 0; i < count; i++, index++, code++) {
        if (code >= 2 ** length) throw new Error('JPEG Huffman table has more codes than fit their lengths')
        if (length <= LOOKAHEAD) {
          const shift = LOOKAHEAD - length
          const entry = (length << 8) | symbols[index]
          lookup.fill(entry, code << shift, (code + 1) << shift)
        }
        if (length <= FAST_BITS) {
          if (tableClass === 0) fillFastDifferences(fastDifferences, code, length, symbols[index])
          else fillFastCoefficients(fastCoefficients, code, length, symbols[index])
        }
      }
      maxCode[length] = code - 1
    }
    code <<= 1
  }
  maxCode[17] = 0x7fffffff
  return { lookup, maxCode, valueOffset, symbols, fastDifferences, fastCoefficients }
}

/** T.81 F.2.2.1 EXTEND: `size` extra bits `value` as a signed number. */
function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value
}

/**
 * Entries for a DC/lossless code whose category's extra bits fit too. Category 16 is left to the exact path:
 * lossless reads it as 32768 with no extra bits, DCT as 16 extra bits, and it is too rare to matter.
 */
function fillFastDifferences(fast: Int32Array, code: number, length: number, category: number): void {
  if (category > 15 || length + category > FAST_BITS) return
  const free = FAST_BITS - length - category
  for (let extra = 0; extra < 1 << category; extra++) {
    const difference = category === 0 ? 0 : extend(extra, category)
    const first = ((code << category) | extra) << free
    fast.fill((difference << 8) | (length + category), first, first + (1 << free))
  }
}

/** Entries for an AC code (run/size) whose extra bits fit too; EOB and ZRL have none. */
function fillFastCoefficients(fast: Int32Array, code: number, length: number, runSize: number): void {
  const size = runSize & 15
  if (length + size > FAST_BITS) return
  const free = FAST_BITS - length - size
  for (let extra = 0; extra < 1 << size; extra++) {
    const coefficient = size === 0 ? 0 : extend(extra, size)
    const first = ((code << size) | extra) << free
    fast.fill((coefficient << 16) | (runSize << 5) | (length + size), first, first + (1 << free))
  }
}

/** Reads bits of entropy-coded data, undoing 0xFF00 stuffing and stopping at markers. */
export class BitReader {
  private buffer = 0
  private bitsLeft = 0
  /** The marker (second byte) that stopped reading, 0 while none. */
  marker = 0
  /** Bytes of zeros fed in because data ran out or a marker came early (some are only looked ahead at). */
  zerosFed = 0
  /** Symbols that matched no code. */
  badCodes = 0
  /** Fed zero bits that earlier restart intervals consumed. */
  private missingBits = 0

  constructor(
    private readonly data: Uint8Array,
    /** Position of the next unread byte; after a marker it points at its 0xFF. */
    public position: number,
  ) {}

  private fill(): void {
    // Up to 32 bits: only the low `bitsLeft` bits of the buffer are ever read, so bits shifted out of
    // the 32-bit int on the left are already consumed. At least 25 bits after a fill serve the fast
    // lookups (FAST_BITS) and any code of 16 bits.
    while (this.bitsLeft <= 24) {
      let byte = 0
      if (this.marker === 0 && this.position < this.data.length) {
        byte = this.data[this.position]
        if (byte === 0xff) {
          let next = this.position + 1
          while (next < this.data.length && this.data[next] === 0xff) next++
          if (next < this.data.length && this.data[next] === 0x00) {
            this.position = next + 1
          } else {
            this.marker = next < this.data.length ? this.data[next] : 0xd9
            this.position = next - 1
            byte = 0
            this.zerosFed++
          }
        } else {
          this.position++
        }
      } else {
        this.zerosFed++
      }
      this.buffer = (this.buffer << 8) | byte
      this.bitsLeft += 8
    }
  }

  /**
   * Bits the decoder took beyond the data: zero bits fed after the data ran out or a marker came,
   * less those still unread in the buffer. More than 0 means the entropy-coded data ended before
   * the image did (a truncated or damaged stream); exactly 0 at the end of a whole scan, however
   * its last byte was padded.
   */
  bitsPastEnd(): number {
    return this.missingBits + Math.max(0, this.zerosFed * 8 - this.bitsLeft)
  }

  /** Read `count` (at most 16) bits as an unsigned number. */
  bits(count: number): number {
    if (count === 0) return 0
    if (this.bitsLeft < count) this.fill()
    this.bitsLeft -= count
    return (this.buffer >>> this.bitsLeft) & ((1 << count) - 1)
  }

  /** Decode one Huffman symbol; a code that matches nothing yields 0 and is counted. */
  symbol(table: HuffmanTable): number {
    if (this.bitsLeft < 16) this.fill()
    const peek = (this.buffer >>> (this.bitsLeft - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)
    const entry = table.lookup[peek]
    if (entry !== 0) {
      this.bitsLeft -= entry >> 8
      return entry & 0xff
    }
    let code = this.bits(LOOKAHEAD)
    let length = LOOKAHEAD
    while (length < 16) {
      code = (code << 1) | this.bits(1)
      length++
      if (code <= table.maxCode[length]) return table.symbols[code + table.valueOffset[length]] ?? 0
    }
    this.badCodes++
    return 0
  }

  /**
   * Decode `count` lossless differences (T.81 H.1.2.2) into `out`, sample k with `tables[k % tables.length]`
   * (one table per component of an interleaved scan): the same values as {@link losslessDifference} per
   * sample, with the usual short codes read through the table's combined lookup. The stream's state lives in
   * locals for the loop, so the per-sample work is one table read and a few integer operations.
   */
  decodeDifferences(tables: readonly HuffmanTable[], out: Int32Array, count: number): void {
    const data = this.data
    const dataLength = data.length
    const tableCount = tables.length
    let buffer = this.buffer
    let bitsLeft = this.bitsLeft
    let position = this.position
    let table = tables[0]
    let fast = table.fastDifferences
    let component = 0
    for (let k = 0; k < count; k++) {
      if (tableCount > 1) {
        table = tables[component]
        fast = table.fastDifferences
        component = component + 1 === tableCount ? 0 : component + 1
      }
      if (bitsLeft < FAST_BITS) {
        // Whole bytes up to 25+ bits; a 0xFF (stuffing or a marker) or the end goes through fill().
        while (bitsLeft <= 24) {
          const byte = position < dataLength && this.marker === 0 ? data[position] : 0xff
          if (byte === 0xff) {
            this.buffer = buffer
            this.bitsLeft = bitsLeft
            this.position = position
            this.fill()
            buffer = this.buffer
            bitsLeft = this.bitsLeft
            position = this.position
            break
          }
          buffer = (buffer << 8) | byte
          bitsLeft += 8
          position++
        }
      }
      const entry = fast[(buffer >>> (bitsLeft - FAST_BITS)) & FAST_MASK]
      if (entry !== 0) {
        bitsLeft -= entry & 0xff
        out[k] = entry >> 8
        continue
      }
      this.buffer = buffer
      this.bitsLeft = bitsLeft
      this.position = position
      out[k] = this.losslessDifference(table)
      buffer = this.buffer
      bitsLeft = this.bitsLeft
      position = this.position
    }
    this.buffer = buffer
    this.bitsLeft = bitsLeft
    this.position = position
  }

  /**
   * Decode one 8x8 block of a sequential DCT scan (T.81 F.2.2): the DC difference added to `predictor`, then the
   * AC coefficients, dequantised into `out` (natural order, zeroed by the caller) through `zigzag`. Returns the new
   * DC predictor. The usual short AC codes and their extra bits come from one combined lookup; the rest go the exact
   * way. A run past the 64th coefficient stops the block before its extra bits are read, on both paths.
   */
  decodeBlock(dcTable: HuffmanTable, acTable: HuffmanTable, quant: Int32Array, zigzag: Int32Array, predictor: number, out: Int32Array): number {
    const dc = predictor + this.receiveExtend(this.symbol(dcTable))
    out[0] = dc * quant[0]
    const fast = acTable.fastCoefficients
    for (let k = 1; k < 64; k++) {
      if (this.bitsLeft < FAST_BITS) this.fill()
      const entry = fast[(this.buffer >>> (this.bitsLeft - FAST_BITS)) & FAST_MASK]
      let runSize: number
      let value: number
      if (entry !== 0) {
        runSize = (entry >> 5) & 0xff
        const size = runSize & 15
        // The code's bits go now; its extra bits only once the run is known to stay inside the block.
        this.bitsLeft -= (entry & 31) - size
        if (size !== 0 && k + (runSize >> 4) > 63) break
        this.bitsLeft -= size
        value = entry >> 16
      } else {
        runSize = this.symbol(acTable)
        const size = runSize & 15
        if (size !== 0 && k + (runSize >> 4) > 63) break
        value = this.receiveExtend(size)
      }
      if ((runSize & 15) === 0) {
        if (runSize >> 4 !== 15) break
        k += 15
        continue
      }
      k += runSize >> 4
      const z = zigzag[k]
      out[z] = value * quant[z]
    }
    return dc
  }

  /** One lossless difference: category SSSS, then SSSS extra bits; category 16 means 32768 with no extra bits (T.81 H.1.2.2). */
  losslessDifference(table: HuffmanTable): number {
    const category = this.symbol(table)
    if (category === 0) return 0
    if (category === 16) return 32768
    if (category > 16) {
      this.badCodes++
      return 0
    }
    return this.receiveExtend(category)
  }

  /** Read `size` bits and extend them to a signed coefficient difference (T.81 F.2.2.1). */
  receiveExtend(size: number): number {
    if (size === 0) return 0
    if (size > 16) {
      this.badCodes++
      return 0
    }
    const value = size === 16 ? this.bits(8) * 256 + this.bits(8) : this.bits(size)
    return value < 2 ** (size - 1) ? value - 2 ** size + 1 : value
  }

  /**
   * At a restart interval: drop the leftover bits and step over the RSTn marker, searching forward
   * for it when the data is damaged. Returns false when no restart marker could be found.
   */
  restart(): boolean {
    this.missingBits = this.bitsPastEnd()
    this.zerosFed = 0
    this.buffer = 0
    this.bitsLeft = 0
    if (this.marker === 0) {
      // The stream did not stop at the marker by itself: find it.
      let p = this.position
      while (p + 1 < this.data.length && !(this.data[p] === 0xff && this.data[p + 1] >= 0xd0 && this.data[p + 1] <= 0xd7)) p++
      if (p + 1 >= this.data.length) return false
      this.position = p
      this.marker = this.data[p + 1]
    }
    if (this.marker >= 0xd0 && this.marker <= 0xd7) {
      this.position += 2
      this.marker = 0
      return true
    }
    return false
  }
}

/** Read the tables of a DHT segment (T.81 B.2.4.2) into the DC (class 0) and AC (class 1) slots. */
export function readHuffmanTables(data: Uint8Array, start: number, end: number, dc: HuffmanTable[], ac: HuffmanTable[]): void {
  let p = start
  while (p + 17 <= end) {
    const tableClass = data[p] >> 4
    const id = data[p] & 3
    const counts = data.subarray(p + 1, p + 17)
    const total = counts.reduce((sum, c) => sum + c, 0)
    if (p + 17 + total > end) throw new Error('JPEG Huffman table is longer than its segment')
    const table = buildHuffmanTable(counts, data.subarray(p + 17, p + 17 + total), tableClass === 0 ? 0 : 1)
    if (tableClass === 0) dc[id] = table
    else ac[id] = table
    p += 17 + total
  }
}
