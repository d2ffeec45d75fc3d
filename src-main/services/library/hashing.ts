import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** A file's content hash, size and first bytes (enough to recognise its format without a second read). */
export interface FileDigest {
  /** Lower-case hex SHA-256 of the whole file. */
  contentHash: string
  byteSize: number
  /** The first {@link HEAD_BYTES} bytes (fewer for a shorter file). */
  head: Buffer
}

/** Bytes kept from the start of a file: a DICOM preamble plus its `DICM` magic fit in 132. */
export const HEAD_BYTES = 132

/**
 * SHA-256 of a file's content, streamed so a 50 MB DICOM never sits in memory whole. The hash names the image
 * in the library, in the cache and in exported compositions: identical pixels files are the same image.
 * @param path the file.
 * @param signal aborts the read (the promise rejects with the signal's reason).
 */
export function hashFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    const headChunks: Buffer[] = []
    let headLength = 0
    let byteSize = 0
    const stream = createReadStream(path, { highWaterMark: 1 << 20, signal })
    stream.on('data', (chunk) => {
      const buffer = chunk as Buffer
      hash.update(buffer)
      byteSize += buffer.length
      if (headLength < HEAD_BYTES) {
        const part = buffer.subarray(0, HEAD_BYTES - headLength)
        headChunks.push(part)
        headLength += part.length
      }
    })
    stream.once('error', reject)
    stream.once('end', () => resolve({ contentHash: hash.digest('hex'), byteSize, head: Buffer.concat(headChunks) }))
  })
}

/**
 * A file read whole, with its digest: for a file that is decoded whole anyway (an import reads every image's pixels)
 * one read instead of two, and no stream of chunks to collect.
 * @param path the file.
 * @param signal aborts the read (the promise rejects with the signal's reason).
 */
export async function readAndHashFile(path: string, signal?: AbortSignal): Promise<{ digest: FileDigest; bytes: Buffer }> {
  const bytes = await readFile(path, { signal })
  // A copy of the head: the digest outlives the file's bytes.
  return { bytes, digest: { contentHash: hashBytes(bytes), byteSize: bytes.length, head: Buffer.from(bytes.subarray(0, HEAD_BYTES)) } }
}

/**
 * SHA-256 of bytes in memory (derived images such as union masks, before they are cached under it).
 * @param bytes the content.
 */
export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
