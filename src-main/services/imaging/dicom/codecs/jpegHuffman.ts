/**
 * Huffman tables and the entropy-coded bit stream of sequential DCT JPEG (ITU T.81 Annex C/F),
 * for the 12-bit and lossless decoders. Corrupt data never throws here: like libjpeg, the reader feeds zeros
 * past the end or a marker and counts the damage, so the caller decides what to report.
 */

const LOOKAHEAD = 9

/** A decoding table built from a DHT segment. */
export interface HuffmanTable {
  /** (code length << 8) | symbol for codes up to 9 bits, indexed by the next 9 bits; 0 if longer. */
  lookup: Int32Array
  /** Largest code of each length (index 1..16), -1 when there is none. */
  maxCode: Int32Array
  /** Offset from a code of that length to its index in `symbols`. */
  valueOffset: Int32Array
  symbols: Uint8Array
}

/** Build a table from the 16 code-length counts and the symbols of a DHT segment. */
export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const lookup = new Int32Array(1 << LOOKAHEAD)
  const maxCode = new Int32Array(18).fill(-1)
  const valueOffset = new Int32Array(18)
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
      }
      maxCode[length] = code - 1
    }
    code <<= 1
  }
  maxCode[17] = 0x7fffffff
  return { lookup, maxCode, valueOffset, symbols }
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
    // Keeping at most 25 bits leaves the buffer inside 32-bit shift arithmetic.
    while (this.bitsLeft <= 17) {
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
      this.buffer = ((this.buffer << 8) | byte) & 0x1ffffff
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
    const table = buildHuffmanTable(counts, data.subarray(p + 17, p + 17 + total))
    if (tableClass === 0) dc[id] = table
    else ac[id] = table
    p += 17 + total
  }
}
