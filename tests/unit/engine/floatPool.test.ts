import { describe, expect, it } from 'vitest'
import { FloatPool } from '../../../src-main/services/engine/onednn/floatPool'

describe('FloatPool (output memory of the onednn kernels)', () => {
  it('reuses an array once its only tensor is disposed', () => {
    const pool = new FloatPool()
    const first = pool.take(1000)
    pool.retain(first)
    pool.release(first)
    expect(pool.idleByteCount).toBe(4000)
    expect(pool.take(1000)).toBe(first)
    expect(pool.idleByteCount).toBe(0)
  })

  it('hands out a fresh array for another length', () => {
    const pool = new FloatPool()
    const first = pool.take(1000)
    pool.retain(first)
    pool.release(first)
    const other = pool.take(999)
    expect(other).not.toBe(first)
    expect(other.length).toBe(999)
  })

  it('keeps an array while a view of it (a contiguous slice) is still alive', () => {
    const pool = new FloatPool()
    const parent = pool.take(100)
    pool.retain(parent)
    const view = parent.subarray(10, 20)
    pool.retain(view)
    pool.release(parent)
    expect(pool.take(100)).not.toBe(parent)
    pool.release(view)
    expect(pool.take(100)).toBe(parent)
  })

  it('never reuses an array that left the backend (dataSync), even after its tensor is gone', () => {
    const pool = new FloatPool()
    const array = pool.take(100)
    pool.retain(array)
    pool.escape(array)
    pool.release(array)
    expect(pool.idleByteCount).toBe(0)
    expect(pool.take(100)).not.toBe(array)
  })

  it('an escaped view protects its parent too', () => {
    const pool = new FloatPool()
    const parent = pool.take(100)
    pool.retain(parent)
    const view = parent.subarray(0, 50)
    pool.retain(view)
    pool.escape(view)
    pool.release(view)
    pool.release(parent)
    expect(pool.take(100)).not.toBe(parent)
  })

  it('ignores arrays it did not allocate', () => {
    const pool = new FloatPool()
    const foreign = new Float32Array(100)
    pool.retain(foreign)
    pool.release(foreign)
    expect(pool.idleByteCount).toBe(0)
    expect(pool.take(100)).not.toBe(foreign)
  })

  it('beyond its limit, lets the longest-idle arrays go so that new sizes still get pooled', () => {
    const pool = new FloatPool(8000)
    const old = pool.take(1000)
    const newer = pool.take(500)
    const newest = pool.take(1000)
    for (const array of [old, newer, newest]) {
      pool.retain(array)
      pool.release(array)
    }
    // 4000 + 2000 + 4000 bytes > 8000: the oldest went.
    expect(pool.idleByteCount).toBe(6000)
    expect(pool.take(1000)).toBe(newest)
    expect(pool.take(1000)).not.toBe(old)
    expect(pool.take(500)).toBe(newer)
  })

  it('never keeps an array larger than its limit, and drains', () => {
    const pool = new FloatPool(4096)
    const big = pool.take(2000)
    pool.retain(big)
    pool.release(big)
    expect(pool.idleByteCount).toBe(0)
    const small = pool.take(100)
    pool.retain(small)
    pool.release(small)
    expect(pool.idleByteCount).toBe(400)
    pool.drain()
    expect(pool.idleByteCount).toBe(0)
    expect(pool.take(100)).not.toBe(small)
  })

  it('a double release cannot put one array in the idle list twice', () => {
    const pool = new FloatPool()
    const array = pool.take(10)
    pool.retain(array)
    pool.retain(array)
    pool.release(array)
    pool.release(array)
    pool.release(array)
    expect(pool.idleByteCount).toBe(40)
    expect(pool.take(10)).toBe(array)
    expect(pool.take(10)).not.toBe(array)
  })
})
