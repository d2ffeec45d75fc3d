import { z } from 'zod'
import type { EngineReport } from '../system/engineTypes'

/**
 * How far a run's numbers repeat (DESIGN: "a run is a pure function of configuration, seed, backend, thread
 * count, input hashes and lung-model hash"). Everything random in a run is seeded from its seed (initial
 * weights, data order, augmentation), inputs are prepared in a fixed order through a content-addressed cache,
 * and a resumed run restores weights, batch-norm statistics, optimizer slots and loop state exactly; what is
 * left is how each backend adds numbers up:
 * - `bit-exact`: the same configuration, seed, inputs, lung model, backend and thread count give the same
 *   weights and predictions bit for bit, uninterrupted or resumed, from the app or the command line;
 * - `not-guaranteed`: close but not promised bit for bit (native TensorFlow splits some sums over a thread pool);
 * - `none`: GPU kernels add in an order that changes from run to run.
 */
export const DeterminismSchema = z.object({
  level: z.enum(['bit-exact', 'not-guaranteed', 'none']),
  backend: z.string(),
  /** Threads the kernels used (null where the backend does not say). */
  threads: z.number().int().nullable(),
  /** One sentence for the run record and the report. */
  note: z.string(),
})
/** How far a run's numbers repeat. */
export type Determinism = z.infer<typeof DeterminismSchema>

/** What a backend promises about repeating a run, from the engine's report. */
export function determinismOf(engine: Pick<EngineReport, 'active' | 'onednn' | 'wasm'>): Determinism {
  switch (engine.active) {
    case 'onednn': {
      const threads = engine.onednn?.threads ?? null
      return {
        level: 'bit-exact',
        backend: 'onednn',
        threads,
        note: `bit for bit repeatable on the onednn backend with ${threads ?? 'the same number of'} threads; another thread count splits sums differently and gives slightly different numbers (CXR_THREADS sets it)`,
      }
    }
    case 'wasm':
      return {
        level: 'bit-exact',
        backend: 'wasm',
        threads: engine.wasm?.threads ? null : 1,
        note: 'bit for bit repeatable on the wasm backend (each output is computed by one thread in a fixed order)',
      }
    case 'cpu':
      return { level: 'bit-exact', backend: 'cpu', threads: 1, note: 'bit for bit repeatable on the cpu backend (single-threaded JavaScript)' }
    case 'tensorflow':
      return {
        level: 'not-guaranteed',
        backend: 'tensorflow',
        threads: null,
        note: 'native TensorFlow on the CPU splits some sums over its thread pool: repeated runs agree closely but are not guaranteed bit for bit',
      }
    case 'tensorflow-gpu':
      return {
        level: 'none',
        backend: 'tensorflow-gpu',
        threads: null,
        note: 'GPU kernels (cuDNN) add up in an order that changes from run to run: the same seed gives close, not identical, numbers',
      }
  }
}
