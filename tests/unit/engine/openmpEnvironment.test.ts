/**
 * The OpenMP spin setting of the onednn backend: written into the real environment (where libgomp reads it as it
 * loads) only when the user set neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT, and kept from the programs the
 * benchmark starts beside us (the PyTorch peer must run as its users run it).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { configureOpenMp, environmentForOtherPrograms, OPENMP_SPIN_COUNT } from '../../../src-main/services/engine/onednn/openmpEnvironment'

const saved = { policy: process.env.OMP_WAIT_POLICY, spin: process.env.GOMP_SPINCOUNT }
afterEach(() => {
  for (const [name, value] of [['OMP_WAIT_POLICY', saved.policy], ['GOMP_SPINCOUNT', saved.spin]] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe('OpenMP environment', () => {
  it("leaves the user's own wait policy alone", () => {
    process.env.OMP_WAIT_POLICY = 'active'
    delete process.env.GOMP_SPINCOUNT
    expect(configureOpenMp()).toEqual({ waitPolicy: 'active', spinCount: null })
    expect(process.env.GOMP_SPINCOUNT).toBeUndefined()
    expect(environmentForOtherPrograms().OMP_WAIT_POLICY).toBe('active')
  })

  it('sets a short spin when neither is set, and keeps it from other programs', () => {
    delete process.env.OMP_WAIT_POLICY
    delete process.env.GOMP_SPINCOUNT
    expect(configureOpenMp()).toEqual({ waitPolicy: null, spinCount: OPENMP_SPIN_COUNT })
    expect(process.env.GOMP_SPINCOUNT).toBe(OPENMP_SPIN_COUNT)
    const other = environmentForOtherPrograms()
    expect(other.GOMP_SPINCOUNT).toBeUndefined()
    expect(other.PATH).toBe(process.env.PATH)
  })

  it('changes only the real environment of the main thread, never a copy', () => {
    const copy: NodeJS.ProcessEnv = {}
    expect(configureOpenMp(copy)).toEqual({ waitPolicy: null, spinCount: null })
    expect(copy).toEqual({})
  })
})
