import { z } from 'zod'

/**
 * The TensorFlow.js backends the engine can run on, best first. `tensorflow-gpu` and `tensorflow` are the
 * native libtensorflow bindings (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`); `onednn` is tfjs's cpu
 * backend with the hot kernels on the project's oneDNN addon (built at install time where `libdnnl-dev` is
 * present); `wasm` and `cpu` ship with the app and always install.
 */
export const BACKEND_LADDER = ['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu'] as const

export const BackendNameSchema = z.enum(BACKEND_LADDER)
/** One rung of the backend ladder. */
export type BackendName = z.infer<typeof BackendNameSchema>

/** A backend preference: a rung, or `auto` to take the first rung that loads. */
export const BackendPreferenceSchema = z.union([z.literal('auto'), BackendNameSchema])
export type BackendPreference = z.infer<typeof BackendPreferenceSchema>

/** What happened when the engine tried one rung of the ladder. */
export const BackendAttemptSchema = z.object({
  backend: BackendNameSchema,
  status: z.enum(['active', 'skipped', 'failed', 'not-tried']),
  /** Plain-language reason, e.g. the package is not installed or its native binding is missing. */
  reason: z.string(),
  /** Milliseconds spent trying this rung. */
  elapsedMs: z.number(),
})
export type BackendAttempt = z.infer<typeof BackendAttemptSchema>

/** The engine's own account of which backend runs and why the others do not. */
export const EngineReportSchema = z.object({
  active: BackendNameSchema,
  /** Where the preference came from: the environment variable wins over the saved setting. */
  preference: BackendPreferenceSchema,
  preferenceSource: z.enum(['default', 'setting', 'environment']),
  attempts: z.array(BackendAttemptSchema),
  wasm: z.object({ simd: z.boolean(), threads: z.boolean() }).nullable(),
  /** The oneDNN addon when the onednn backend runs: library version and thread count. */
  onednn: z.object({ version: z.string(), threads: z.number().int() }).nullable(),
  /** Gradient kernels the project registered on top of the active backend. */
  projectKernels: z.array(z.string()),
  tfjsVersion: z.string(),
})
export type EngineReport = z.infer<typeof EngineReportSchema>
