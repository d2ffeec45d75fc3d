/**
 * Recycles the float32 arrays the native kernels write their outputs into.
 *
 * A ResNet-18 training step allocates several gigabytes of short-lived activations and gradients. As fresh
 * ArrayBuffers they cost twice: every first touch of a new page is a kernel page fault, and V8 answers the
 * external-memory growth with a garbage collection every ~20 ms (measured: ~500 collections and a third of the
 * step). Like PyTorch's caching allocator, the pool keeps an array when its last tensor is disposed and hands it
 * to the next output of the same length.
 *
 * An array is only reused when nothing else can still see it: the pool counts the backend's live tensors whose
 * values are that array or a view of it (a contiguous slice shares its parent's memory), and an array that ever
 * left the backend (`dataSync`, `data`, a move to another backend) is never reused, because the caller may
 * still be reading it after the tensor is gone.
 */

interface Owned {
  array: Float32Array
  live: number
  escaped: boolean
}

/**
 * Cap on memory kept idle in the pool. Beyond it the longest-idle arrays go to the garbage collector, so when the
 * next model needs other sizes (a bench of Conv8 then ResNet-18, a fine-tune after a pre-train) the old sizes make
 * room instead of filling the pool for good.
 */
const DEFAULT_IDLE_LIMIT_BYTES = 1024 ** 3

export class FloatPool {
  private readonly owned = new WeakMap<ArrayBufferLike, Owned>()
  private readonly idle = new Map<number, Float32Array[]>()
  /** Every idle array, longest idle first (a Set keeps insertion order). */
  private readonly idleOrder = new Set<Float32Array>()
  private idleBytes = 0

  constructor(private readonly idleLimitBytes = DEFAULT_IDLE_LIMIT_BYTES) {}

  /** An array of `length` floats with unspecified contents (the caller overwrites every element). */
  take(length: number): Float32Array {
    if (length === 0) return new Float32Array(0)
    const reusable = this.idle.get(length)?.pop()
    if (reusable) {
      this.idleOrder.delete(reusable)
      this.idleBytes -= reusable.byteLength
      this.owned.get(reusable.buffer)!.live = 0
      return reusable
    }
    const bytes = Buffer.allocUnsafeSlow(length * 4)
    const array = new Float32Array(bytes.buffer, bytes.byteOffset, length)
    this.owned.set(array.buffer, { array, live: 0, escaped: false })
    return array
  }

  /** A tensor now stores `values` (or a view of a pooled array). */
  retain(values: unknown): void {
    const owner = this.ownerOf(values)
    if (owner) owner.live++
  }

  /** A tensor that stored `values` was disposed. */
  release(values: unknown): void {
    const owner = this.ownerOf(values)
    if (!owner) return
    owner.live--
    if (owner.live > 0 || owner.escaped || this.idleOrder.has(owner.array)) return
    if (owner.array.byteLength > this.idleLimitBytes) return
    const list = this.idle.get(owner.array.length) ?? []
    list.push(owner.array)
    this.idle.set(owner.array.length, list)
    this.idleOrder.add(owner.array)
    this.idleBytes += owner.array.byteLength
    for (const oldest of this.idleOrder) {
      if (this.idleBytes <= this.idleLimitBytes) break
      this.evict(oldest)
    }
  }

  /** `values` was handed outside the backend: never reuse its memory. */
  escape(values: unknown): void {
    const owner = this.ownerOf(values)
    if (owner) owner.escaped = true
  }

  /** Bytes currently idle in the pool. */
  get idleByteCount(): number {
    return this.idleBytes
  }

  /** Lets every idle array go to the garbage collector. */
  drain(): void {
    this.idle.clear()
    this.idleOrder.clear()
    this.idleBytes = 0
  }

  private evict(array: Float32Array): void {
    const list = this.idle.get(array.length)!
    list.splice(list.indexOf(array), 1)
    if (list.length === 0) this.idle.delete(array.length)
    this.idleOrder.delete(array)
    this.idleBytes -= array.byteLength
  }

  private ownerOf(values: unknown): Owned | undefined {
    return values instanceof Float32Array ? this.owned.get(values.buffer) : undefined
  }
}
