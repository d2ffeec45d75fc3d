import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LungModelCardSchema, type LungModelCard } from '@shared/segmentation'
import { MODEL_JSON } from '../segmentation/modelFiles'
import { MODEL_CARD_JSON } from '../segmentation/trainLungModel'

/** A lung model folder's version id and card, read without loading the weights into TensorFlow. */
export interface LungModelIdentity {
  /** `lung-` + 16 hex digits of a SHA-256. */
  modelId: string
  card: LungModelCard
  folder: string
}

/**
 * The version id of a lung model folder: a SHA-256 over the topology (model.json), every weights file it lists,
 * and the card's inference settings (input size, preprocessing, post-processing). Those are exactly what
 * decides the masks, so the same model copied elsewhere keeps its id (cached masks stay valid) while retraining,
 * or changing the threshold, gives a new id (its masks are kept beside the old ones). The card's documentation
 * fields (evaluation, training notes) are left out: rewriting them changes no mask.
 * @throws naming the folder and file when the model or its card is missing or unreadable.
 */
export async function lungModelIdentity(folder: string): Promise<LungModelIdentity> {
  let modelJson: Buffer
  let cardText: string
  try {
    modelJson = await readFile(join(folder, MODEL_JSON))
    cardText = await readFile(join(folder, MODEL_CARD_JSON), 'utf8')
  } catch (error) {
    throw new Error(`no lung model in ${folder}: ${(error as Error).message}`)
  }
  const parsed = LungModelCardSchema.safeParse(JSON.parse(cardText))
  if (!parsed.success) throw new Error(`${join(folder, MODEL_CARD_JSON)} is not a lung model card: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  const card = parsed.data
  const hash = createHash('sha256')
  // Length-prefixed parts, so moving bytes from one part to the next cannot give the same hash.
  const part = (bytes: Uint8Array | string) => {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
    hash.update(`${buffer.byteLength}:`)
    hash.update(buffer)
  }
  part(modelJson)
  const manifest = (JSON.parse(modelJson.toString('utf8')) as { weightsManifest?: Array<{ paths: string[] }> }).weightsManifest ?? []
  for (const group of manifest) for (const path of group.paths) part(await readFile(join(folder, path)))
  part(JSON.stringify({ inputSize: card.architecture.inputSize, preprocessing: card.preprocessing, postprocessing: card.postprocessing }))
  return { modelId: `lung-${hash.digest('hex').slice(0, 16)}`, card, folder }
}
