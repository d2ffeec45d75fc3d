import { describe, it, expect } from 'vitest'
import { createRandom, randomInteger, xoshiro128StarStar } from '@shared/metrics'

describe('xoshiro128**', () => {
  it('matches the reference C implementation (prng.di.unimi.it/xoshiro128starstar.c)', () => {
    // Compiled with gcc from the reference next() and printed with %u.
    const next = xoshiro128StarStar([1, 2, 3, 4])
    expect(Array.from({ length: 8 }, next)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ])
    const later = xoshiro128StarStar([0x9e3779b9, 0x7f4a7c15, 0xdeadbeef, 0xcafebabe])
    for (let k = 0; k < 1000; k++) later()
    expect([later(), later()]).toEqual([2450488725, 3832290871])
  })

  it('rejects the all-zero state', () => {
    expect(() => xoshiro128StarStar([0, 0, 0, 0])).toThrow(/all zero/)
  })
})

describe('createRandom', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const c = createRandom(43)
    const first = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(first)
    expect(Array.from({ length: 5 }, c)).not.toEqual(first)
  })

  it('returns uniform-looking values in [0, 1)', () => {
    const random = createRandom(1)
    const bins = new Array<number>(10).fill(0)
    const draws = 100_000
    let outOfRange = 0
    for (let k = 0; k < draws; k++) {
      const value = random()
      if (!(value >= 0 && value < 1)) outOfRange++
      else bins[Math.floor(value * 10)]++
    }
    expect(outOfRange).toBe(0)
    // Each bin expects 10 000 ± 95 (binomial SD); 600 is > 6 SD.
    for (const count of bins) expect(Math.abs(count - draws / 10)).toBeLessThan(600)
  })

  it('randomInteger stays within [0, n)', () => {
    const random = createRandom(3)
    const seen = new Set<number>()
    for (let k = 0; k < 1000; k++) seen.add(randomInteger(random, 7))
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('rejects a non-finite seed', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed/)
  })
})
