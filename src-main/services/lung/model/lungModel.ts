import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { DecodedImage } from '@shared/imaging/types'
import { LungModelCardSchema, type LungModelCard, type LungSegmentation } from '@shared/lung'
import { loadModelForPrediction, MODEL_JSON } from '../../engine/modelFiles'
import { segmentImage } from './segmentImage'

/** The card beside a lung model's weights: how its input was prepared and its output post-processed. */
export const MODEL_CARD_JSON = 'model-card.json'

/** A lung model folder's version id and card, read without loading the weights into TensorFlow. */
export interface LungModelIdentity {
  /** `lung-` + 16 hex digits of a SHA-256 over what decides the masks (see {@link lungModelIdentity}). */
  modelId: string
  card: LungModelCard
  folder: string
}

/** A loaded lung model: its network, card, folder and version id. */
export interface LungModel extends LungModelIdentity {
  model: tf.LayersModel
}

/**
 * Reads and checks a lung model's card.
 * @throws naming the folder when the card is missing or is not a lung model card.
 */
export async function readLungModelCard(folder: string): Promise<LungModelCard> {
  let text: string
  try {
    text = await readFile(join(folder, MODEL_CARD_JSON), 'utf8')
  } catch {
    throw new Error(`no lung model in ${folder}: ${MODEL_CARD_JSON} is missing (build one with 'cxr train-lungs')`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`${join(folder, MODEL_CARD_JSON)} is not a lung model card: it is not valid JSON`)
  }
  const parsed = LungModelCardSchema.safeParse(json)
  if (!parsed.success) throw new Error(`${join(folder, MODEL_CARD_JSON)} is not a lung model card: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  return parsed.data
}

/**
 * The version id of a lung model folder: a SHA-256 over the topology (model.json), every weights file it lists,
 * and the card's inference settings (input size, preprocessing, post-processing). Those are exactly what
 * decides the masks, so the same model copied elsewhere keeps its id (cached masks stay valid, a run resumed on
 * another machine finds it) while retraining, or changing the threshold, gives a new id. The card's
 * documentation fields (evaluation, training notes) are left out: rewriting them changes no mask.
 * @throws naming the folder and file when the model or its card is missing or unreadable.
 */
export async function lungModelIdentity(folder: string): Promise<LungModelIdentity> {
  const missing = [MODEL_JSON, MODEL_CARD_JSON].filter((file) => !existsSync(join(folder, file)))
  if (missing.length > 0) throw new Error(`no lung model in ${folder}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (build one with 'cxr train-lungs')`)
  const card = await readLungModelCard(folder)
  let modelJson: Buffer
  try {
    modelJson = await readFile(join(folder, MODEL_JSON))
  } catch {
    throw new Error(`no lung model in ${folder}: ${MODEL_JSON} is missing (build one with 'cxr train-lungs')`)
  }
  const hash = createHash('sha256')
  // Length-prefixed parts, so moving bytes from one part to the next cannot give the same hash.
  const part = (bytes: Uint8Array | string) => {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
    hash.update(`${buffer.byteLength}:`)
    hash.update(buffer)
  }
  part(modelJson)
  let manifest: Array<{ paths: string[] }>
  try {
    manifest = (JSON.parse(modelJson.toString('utf8')) as { weightsManifest?: Array<{ paths: string[] }> }).weightsManifest ?? []
  } catch {
    throw new Error(`${join(folder, MODEL_JSON)} is damaged: it is not valid JSON`)
  }
  for (const group of manifest) {
    for (const path of group.paths) {
      try {
        part(await readFile(join(folder, path)))
      } catch {
        throw new Error(`the lung model in ${folder} is incomplete: its weights file ${path} is missing`)
      }
    }
  }
  part(JSON.stringify({ inputSize: card.architecture.inputSize, preprocessing: card.preprocessing, postprocessing: card.postprocessing }))
  return { modelId: `lung-${hash.digest('hex').slice(0, 16)}`, card, folder }
}

/**
 * Loads a lung model folder (model.json, weights.bin, model-card.json). The card is required: it says how the
 * input was prepared and the output post-processed, and a model used with another chain than its own gives
 * plausible but wrong masks. With `expectedModelId`, a folder whose content changed since (retrained in place,
 * damaged) is refused rather than silently used under the old id.
 * @throws naming the folder when a file is missing, the card does not parse, or the content is not the one expected.
 */
export async function loadLungModel(folder: string, expectedModelId?: string): Promise<LungModel> {
  const identity = await lungModelIdentity(folder)
  if (expectedModelId !== undefined && identity.modelId !== expectedModelId) {
    throw new Error(`the lung model in ${folder} has changed (it is now ${identity.modelId}, ${expectedModelId} was expected)`)
  }
  // Warmed up: the viewer's first mask would otherwise wait for the backend's first-call costs.
  const model = await loadModelForPrediction(folder, 1)
  return { ...identity, model }
}

/**
 * Segments the lungs of a decoded radiograph with a loaded lung model, using its card's input fitting and
 * post-processing: the one way the app makes a lung mask, whoever asks (viewer, dataset jobs, runs, evaluation,
 * Grad-CAM, the CLI). Leaves no tensor behind.
 */
export function segmentLungs(lung: LungModel, decoded: DecodedImage): Promise<LungSegmentation> {
  return segmentImage(lung.model, decoded, { resizeMode: lung.card.preprocessing.resizeMode, postprocess: lung.card.postprocessing })
}
