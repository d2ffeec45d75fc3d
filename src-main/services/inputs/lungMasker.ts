import type { DecodedImage } from '@shared/imaging/types'
import type { LungModelRef } from '@shared/runs/record'
import { loadLungModel, segmentLungs, type LungModel } from '../lung/model/lungModel'

/** The blurred lung mask of a decoded radiograph (values in [0, 1] at its own size), or null when the model finds no lungs. */
export type LungMaskFunction = (decoded: DecodedImage) => Promise<Float32Array | null>

/** A lung model loaded on demand in the calling thread, by content id. */
export interface LungMasker {
  readonly ref: LungModelRef
  mask: LungMaskFunction
  /** Frees the model's weights (a later `mask` loads it again). */
  dispose(): void
}

/**
 * A masker for one lung model. The U-Net loads on the first image that needs it (a run whose inputs are all
 * cached never loads it) in whichever thread calls it: a run worker segments its own images instead of asking the
 * main process. The folder's content must still be the model `ref` names: a model retrained in place is refused,
 * so a run never mixes masks of two models under one id.
 */
export function createLungMasker(ref: LungModelRef, options: { ready?: () => Promise<unknown> } = {}): LungMasker {
  let loading: Promise<LungModel> | undefined
  const load = () => {
    loading ??= (options.ready?.() ?? Promise.resolve())
      .then(() => loadLungModel(ref.folder, ref.modelId))
      .catch((error: unknown) => {
        loading = undefined
        throw new Error(`the lung model "${ref.name}" could not be loaded: ${(error as Error).message}`)
      })
    return loading
  }
  return {
    ref,
    async mask(decoded) {
      const segmentation = await segmentLungs(await load(), decoded)
      return segmentation.features.areaFraction > 0 ? segmentation.blurred.data : null
    },
    dispose() {
      const pending = loading
      loading = undefined
      void pending?.then((lung) => lung.model.dispose(), () => undefined)
    },
  }
}

/** Lung maskers of one thread, one per lung model, kept loaded (a U-Net of a few MB is cheap to keep, slow to reload). */
export interface LungMaskers {
  for(ref: LungModelRef): LungMasker
  dispose(): void
}

/** Creates the thread's masker cache; `ready` resolves once TensorFlow.js has a backend. */
export function createLungMaskers(options: { ready?: () => Promise<unknown> } = {}): LungMaskers {
  const maskers = new Map<string, LungMasker>()
  return {
    for(ref) {
      let masker = maskers.get(ref.modelId)
      if (!masker || masker.ref.folder !== ref.folder) {
        masker?.dispose()
        masker = createLungMasker(ref, options)
        maskers.set(ref.modelId, masker)
      }
      return masker
    },
    dispose() {
      for (const masker of maskers.values()) masker.dispose()
      maskers.clear()
    },
  }
}
