/**
 * Saving and loading tf.layers models as TF.js "layers" files (model.json + one weights .bin) with node:fs.
 * `model.save('file://…')` needs tfjs-node, which cannot be installed here (it downloads libtensorflow), so
 * these IOHandlers do the same job: the files are the standard format, readable by tfjs-node, the browser
 * `tf.loadLayersModel(url)` and the Python converter.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'

/** File names inside a model folder. */
export const MODEL_JSON = 'model.json'
/** The single weights shard (the models here are a few MB; sharding only helps browser caches). */
export const WEIGHTS_BIN = 'weights.bin'

/** What was written by {@link saveLayersModel}. */
export interface SavedModelFiles {
  modelJsonPath: string
  weightsPath: string
  weightsBytes: number
  /** SHA-256 of the weights file, for the model card. */
  weightsSha256: string
}

/**
 * An IOHandler whose `save` writes `model.json` and `weights.bin` into `folder` (created if needed). The
 * training configuration is left out on purpose: it names the loss function, and a custom loss (Dice + BCE)
 * cannot be looked up by name when loading, which would make the file unloadable; a saved model is for
 * inference, and training starts from a fresh optimizer anyway.
 */
export function fileSaveHandler(folder: string, onSaved?: (files: SavedModelFiles) => void): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileSaveHandler: binary (GraphDef) topologies are not supported')
      await mkdir(folder, { recursive: true })
      const weights = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData))
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      }
      const weightsPath = join(folder, WEIGHTS_BIN)
      const modelJsonPath = join(folder, MODEL_JSON)
      // Weights first and model.json last, each through a temporary name: a reader never sees a model.json
      // pointing at missing or half-written weights.
      await writeAtomically(weightsPath, weights)
      await writeAtomically(modelJsonPath, JSON.stringify(modelJson))
      onSaved?.({ modelJsonPath, weightsPath, weightsBytes: weights.byteLength, weightsSha256: createHash('sha256').update(weights).digest('hex') })
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights.buffer as ArrayBuffer }) }
    },
  }
}

/**
 * An IOHandler whose `load` reads `model.json` from `folder` and every weights file its manifest lists
 * (paths relative to the folder, as tfjs writes them).
 */
export function fileLoadHandler(folder: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(join(folder, MODEL_JSON), 'utf8')) as tf.io.ModelJSON
      if (modelJson.modelTopology == null) throw new Error(`${join(folder, MODEL_JSON)} has no modelTopology: not a TF.js layers model`)
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = []
        const buffers: ArrayBuffer[] = []
        for (const group of manifest) {
          specs.push(...group.weights)
          for (const path of group.paths) {
            const bytes = await readFile(join(folder, path))
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)]
      })
    },
  }
}

/** Saves a model into `folder` as model.json + weights.bin; returns the paths, size and weights hash. */
export async function saveLayersModel(model: tf.LayersModel, folder: string): Promise<SavedModelFiles> {
  let saved: SavedModelFiles | undefined
  await model.save(fileSaveHandler(folder, (files) => (saved = files)))
  if (!saved) throw new Error('saveLayersModel: the save handler was not called')
  return saved
}

/** Loads a model saved by {@link saveLayersModel} (or any TF.js layers model folder). */
export function loadLayersModelFromFolder(folder: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(folder))
}

/**
 * Loads a model that is about to predict and runs one prediction on a blank batch of `batch` inputs, so the
 * costs of a first call (the backend's kernel plans and their generated code, buffers reaching their working
 * size) are paid while loading, and the user's first prediction takes as long as the ones after it.
 */
export async function loadModelForPrediction(folder: string, batch = 1): Promise<tf.LayersModel> {
  const model = await loadLayersModelFromFolder(folder)
  await warmUpModel(model, batch)
  return model
}

/** One prediction on zeros of the model's input shape with `batch` items; leaves no tensor behind. */
export async function warmUpModel(model: tf.LayersModel, batch = 1): Promise<void> {
  const shape = model.inputs[0].shape.map((side, axis) => (axis === 0 ? batch : side))
  if (shape.some((side) => side === null)) return
  const input = tf.zeros(shape as number[])
  try {
    const outputs = model.predict(input)
    const list = Array.isArray(outputs) ? outputs : [outputs]
    await Promise.all(list.map((output) => output.data()))
    tf.dispose(list)
  } finally {
    input.dispose()
  }
}

async function writeAtomically(path: string, content: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, content)
  await rename(temporary, path)
}
