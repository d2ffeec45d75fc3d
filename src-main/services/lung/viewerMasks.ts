import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DecodedImage } from '@shared/imaging/types'
import type { LungModelStatus, ViewerSegmentation } from '@shared/imaging/viewerSegmentation'
import { loadLungModel, segmentLungs, type LungModel } from './model/lungModel'

/** Lung masks for images open in the viewer, from the installed (by default the shipped) lung model. */
export interface LungMaskService {
  status(): LungModelStatus
  segment(image: DecodedImage): Promise<ViewerSegmentation>
}

/**
 * Creates the service. The model loads on first use, after the engine has chosen its backend (`ready`), and stays
 * loaded: a U-Net of a few MB is cheap to keep and slow to reload per image.
 */
export function createLungMaskService(deps: { modelFolder: () => string; ready: () => Promise<unknown>; loadModel?: (folder: string) => Promise<LungModel> }): LungMaskService {

  function status(): LungModelStatus {
    const folder = deps.modelFolder()
    const cardPath = join(folder, 'model-card.json')
    if (!existsSync(join(folder, 'model.json')) || !existsSync(cardPath)) {
      return { installed: false, folder, reason: `no lung model in ${folder} (the project builds it with 'cxr train-lungs')` }
    }
    try {
      const card = JSON.parse(readFileSync(cardPath, 'utf8')) as { name?: string; architecture?: { inputSize?: number }; evaluation?: { heldOut?: { meanDice?: number | null } } }
      return { installed: true, folder, name: card.name, inputSize: card.architecture?.inputSize, heldOutDice: card.evaluation?.heldOut?.meanDice ?? null }
    } catch (error) {
      return { installed: false, folder, reason: `${cardPath} is unreadable: ${(error as Error).message}` }
    }
  }

  return {
    status,
    async segment(image) {
      const current = status()
      if (!current.installed) throw new Error(current.reason)
      await deps.ready()
      // The loader is memoised per folder by the composition root; choosing another model loads that one.
      const lungModel = await (deps.loadModel ?? loadLungModel)(current.folder!)
      const began = performance.now()
      // The card's own post-processing, as dataset jobs, runs and the CLI apply it: the viewer shows the same mask.
      const result = await segmentLungs(lungModel, image)
      return {
        width: result.mask.width,
        height: result.mask.height,
        mask: result.mask.data,
        blurred: result.blurred.data,
        features: { areaFraction: result.features.areaFraction, componentCount: result.features.componentCount, leftRightBalance: result.features.leftRightBalance },
        model: current,
        elapsedMs: performance.now() - began,
      }
    },
  }
}
