import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { LungModelCardSchema, type LungModelCard } from '@shared/segmentation'
import { loadLayersModelFromFolder, MODEL_JSON } from './modelFiles'
import { MODEL_CARD_JSON } from './trainLungModel'

/** A loaded lung model with its card. */
export interface LungModel {
  model: tf.LayersModel
  card: LungModelCard
  folder: string
}

/**
 * Loads a lung model folder (model.json, weights.bin, model-card.json). The card is required: it says how the
 * input was prepared and the output post-processed, and a model used with another chain than its own gives
 * plausible but wrong masks.
 * @throws naming the folder when a file is missing or the card does not parse.
 */
export async function loadLungModel(folder: string): Promise<LungModel> {
  for (const file of [MODEL_JSON, MODEL_CARD_JSON]) {
    if (!existsSync(join(folder, file))) throw new Error(`no lung model in ${folder}: ${file} is missing (build one with 'cxr train-lungs')`)
  }
  const parsed = LungModelCardSchema.safeParse(JSON.parse(await readFile(join(folder, MODEL_CARD_JSON), 'utf8')))
  if (!parsed.success) throw new Error(`${join(folder, MODEL_CARD_JSON)} is not a lung model card: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  const model = await loadLayersModelFromFolder(folder)
  return { model, card: parsed.data, folder }
}
