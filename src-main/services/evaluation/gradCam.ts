/**
 * Grad-CAM (Selvaraju et al. 2017) of a run's COVID+ output: where in the radiograph the classifier found its
 * evidence. Computed in a job worker on its own TensorFlow.js backend (the wasm backend has the gradient kernels
 * registered).
 */
import * as tf from '@tensorflow/tfjs'
import { saliencyInsideLungs, type LungShareUnknown } from '@shared/evaluation/saliency'
import { createGreyImage, resize } from '@shared/imaging/preprocess'
import type { DecodedImage } from '@shared/imaging/types'
import type { InputSize } from '@shared/runs/config'
import type { LungModelRef } from '@shared/runs/record'
import type { RunsService } from '@shared/runs/service'
import { loadLayersModelFromFolder } from '../engine/modelFiles'
import { decodeImageFile } from '../imaging/index'
import { createInputPipeline, type InputSettings, type LungMaskers } from '../inputs'
import { hashFile } from '../library/hashing'
import { modelInputSettings, readModelCard } from '../runs/executeJob'
import { JobFailure } from '../workers/jobIo'
import type { JobLauncher } from '../workers/launcher'
import { encoderOutput } from './features'

/** Dependencies of {@link createGradCamTool}. */
export interface GradCamDeps {
  dataFolder: string
  runs: Pick<RunsService, 'get'> & { lungModelOfModel(modelFolder: string): Promise<LungModelRef | null> }
  /** The lung model the app uses now: gives the inside-lungs share for a run that did not mask. */
  activeLungModel?: () => Promise<LungModelRef | null>
  /** Starts the Grad-CAM job (in a worker in the app). */
  jobs: JobLauncher
}

/** A Grad-CAM request: a completed run and one radiograph file. */
export interface GradCamRequest {
  runId: string
  imagePath: string
}

/** A Grad-CAM heatmap at the radiograph's own size. */
export interface GradCamResult {
  width: number
  height: number
  /** width × height values in [0, 1], row after row; 0 where the model saw nothing (outside the centre crop). */
  heatmap: Float32Array
  /** The model's COVID+ probability for this image. */
  probability: number
  /** Share of the saliency inside the lung mask (see `saliencyInsideLungs`); null without a lung model or lungs. */
  insideLungShare: number | null
  /**
   * Why the share is unknown: no lung model to find the lungs, the lung model found none in this image, or the map
   * is empty (the model found no evidence for COVID+ anywhere, so there is nothing to share out).
   */
  shareUnknown: LungShareUnknown | null
}

/** The Grad-CAM tool: `gradCam({ runId, imagePath })`. */
export interface GradCamTool {
  gradCam(request: GradCamRequest): Promise<GradCamResult>
}

/** What a Grad-CAM job needs: the model, the image, how the run prepared its inputs, and which lung models to use. */
export interface GradCamJob {
  dataFolder: string
  modelFolder: string
  imagePath: string
  settings: InputSettings
  /** The run's lung model (when it masked). */
  lungModel: LungModelRef | null
  /** The lung model that gives the inside-lungs share: the run's, or the one the app uses; null for none. */
  shareModel: LungModelRef | null
}

/**
 * Creates the Grad-CAM tool. Each call resolves the run's model, input settings and lung models here and runs the
 * map in a job (a worker in the app), which loads the model, builds the input through the run's own pipeline and
 * frees everything it made.
 */
export function createGradCamTool(deps: GradCamDeps): GradCamTool {
  return {
    async gradCam({ runId, imagePath }) {
      const run = await deps.runs.get({ runId })
      if (run.state !== 'completed' || !run.modelFolder) throw new Error(`run ${runId} has no model to explain: it is ${run.state}`)
      const card = await readModelCard(run.modelFolder)
      const settings = modelInputSettings(card)
      const lungModel = settings.lungModelId !== null ? await deps.runs.lungModelOfModel(run.modelFolder) : null
      const shareModel = lungModel ?? ((await deps.activeLungModel?.()) ?? null)
      return deps.jobs.launch('grad-cam', { dataFolder: deps.dataFolder, modelFolder: run.modelFolder, imagePath, settings, lungModel, shareModel }).done
    },
  }
}

/**
 * One Grad-CAM map: the input through the run's pipeline (its preprocessing and lung model), the lungs for the
 * inside-lungs share from the same lung model or the one given, then the map at the radiograph's size.
 */
export async function computeGradCam(job: GradCamJob, maskers: LungMaskers): Promise<GradCamResult> {
  let decoded: DecodedImage
  let contentHash: string
  try {
    decoded = await decodeImageFile(job.imagePath)
    contentHash = (await hashFile(job.imagePath)).contentHash
  } catch (error) {
    throw new JobFailure(`could not read ${job.imagePath}: ${(error as Error).message}`)
  }
  const masker = job.lungModel ? maskers.for(job.lungModel) : null
  const { pixels: input } = await createInputPipeline({ dataFolder: job.dataFolder, settings: job.settings, lungMasker: masker }).prepare({ path: job.imagePath, contentHash, description: 'the image' })
  const mask = job.shareModel ? await maskers.for(job.shareModel).mask(decoded) : null
  const model = await loadLayersModelFromFolder(job.modelFolder)
  let cam: { map: Float32Array; size: number; probability: number }
  try {
    cam = await gradCamOfInput(model, input, job.settings.input.crop)
  } finally {
    model.dispose()
  }
  const heatmap = heatmapToImage(cam.map, job.settings.input, decoded.width, decoded.height)
  const insideLungShare = mask ? saliencyInsideLungs(heatmap, mask) : null
  const shareUnknown = !job.shareModel ? 'no-lung-model' : !mask ? 'no-lungs-found' : insideLungShare === null ? 'no-evidence' : null
  return { width: decoded.width, height: decoded.height, heatmap, probability: cam.probability, insideLungShare, shareUnknown }
}

/**
 * Grad-CAM of the single sigmoid output of a classifier for one crop × crop input, upsampled to crop × crop and
 * normalised to [0, 1] (divided by its maximum, so "no evidence" stays 0; all zeros when nothing is positive).
 * Exported for tests and for callers that already hold a model.
 */
export async function gradCamOfInput(model: tf.LayersModel, input: Float32Array, crop: number): Promise<{ map: Float32Array; size: number; probability: number }> {
  const { featureMap, tail } = splitAtLastFeatureMap(model)
  const features = tf.model({ inputs: model.inputs, outputs: featureMap })
  const output = model.layers[model.layers.length - 1]
  if ((output.getConfig().units as number | undefined) !== 1) throw new Error(`model ${model.name} does not end in one COVID+ unit: Grad-CAM explains binary classifiers only`)
  const [camTensor, logitTensor] = tf.tidy(() => {
    const x = tf.tensor4d(input, [1, crop, crop, 1])
    const activations = features.predict(x) as tf.Tensor4D
    // The gradient of the logit, not of the probability: the sigmoid's slope underflows to 0 when the model is
    // confident (p = 1 in float32), which would give an empty map; for one output both give the same map otherwise.
    const logitOf = (a: tf.Tensor): tf.Scalar => {
      let y: tf.Tensor = a
      for (const layer of tail.slice(0, -1)) y = layer.apply(y) as tf.Tensor
      return logitOfOutput(output, y).reshape([]) as tf.Scalar
    }
    const { value, grad } = tf.valueAndGrad(logitOf)(activations)
    // Channel weights: global-average-pooled gradients (Selvaraju et al., eq. 1); map: ReLU of the weighted sum (eq. 2).
    const weights = grad.mean([1, 2], true)
    const map = activations.mul(weights).sum(-1).relu()
    return [map, value]
  })
  let raw: Float32Array
  let logit: number
  try {
    raw = (await camTensor.data()) as Float32Array
    logit = (await logitTensor.data())[0]
  } finally {
    camTensor.dispose()
    logitTensor.dispose()
  }
  const [, mapHeight, mapWidth] = camTensor.shape
  const { image } = resize(createGreyImage(mapWidth, mapHeight, Float32Array.from(raw)), { width: crop, height: crop, mode: 'stretch', interpolation: 'bilinear' })
  const map = normaliseToUnit(image.data)
  return { map, size: crop, probability: 1 / (1 + Math.exp(-logit)) }
}

/** The pre-activation of the output dense layer (its kernel and bias applied by hand when it ends in a sigmoid). */
function logitOfOutput(output: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  if (output.getClassName() !== 'Dense' || output.getConfig().activation !== 'sigmoid') return output.apply(x) as tf.Tensor
  const [kernel, bias] = output.getWeights()
  const linear = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D)
  return bias ? linear.add(bias) : linear
}

/**
 * The last convolutional feature map (rank 4) of a run's classifier and the layers after it. The paper's encoders
 * end in a global-average pooling (`features`), whose input is that map; the head after it is a chain of dense
 * layers, which is what lets the tail be applied layer by layer to the map.
 */
function splitAtLastFeatureMap(model: tf.LayersModel): { featureMap: tf.SymbolicTensor; tail: tf.layers.Layer[] } {
  const encoded = encoderOutput(model)
  let featureMap = encoded
  if (encoded.shape.length !== 4) {
    const pool = encoded.sourceLayer
    const poolInput = pool.input
    const candidate = Array.isArray(poolInput) ? poolInput[0] : poolInput
    if (candidate.shape.length !== 4) throw new Error(`model ${model.name}: found no convolutional feature map before ${pool.name}`)
    featureMap = candidate
  }
  const start = model.layers.indexOf(featureMap.sourceLayer as tf.layers.Layer)
  const tail = model.layers.slice(start + 1)
  let previous = featureMap.sourceLayer
  for (const layer of tail) {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers)
    if (inbound.length !== 1 || inbound[0] !== previous) throw new Error(`model ${model.name}: the layers after the last feature map are not a chain (at ${layer.name})`)
    previous = layer
  }
  if (tail.length === 0) throw new Error(`model ${model.name}: nothing follows the feature map`)
  return { featureMap, tail }
}

/** Divides by the maximum so the map spans [0, 1]; a map with no positive value stays all zeros. */
function normaliseToUnit(values: Float32Array): Float32Array {
  let max = 0
  for (const value of values) if (value > max) max = value
  const out = new Float32Array(values.length)
  if (max > 0) for (let i = 0; i < values.length; i++) out[i] = Math.min(1, Math.max(0, values[i] / max))
  return out
}

/**
 * The crop × crop map back on the radiograph: the inverse of `preprocessForModel`'s geometry (stretch to
 * resize × resize, keep the centre crop). The border the crop removed gets 0: the model never saw it.
 */
export function heatmapToImage(map: Float32Array, input: InputSize, width: number, height: number): Float32Array {
  const canvas = new Float32Array(input.resize * input.resize)
  const offset = Math.floor((input.resize - input.crop) / 2)
  for (let y = 0; y < input.crop; y++) canvas.set(map.subarray(y * input.crop, (y + 1) * input.crop), (offset + y) * input.resize + offset)
  const shrinks = width < input.resize || height < input.resize
  const { image } = resize(createGreyImage(input.resize, input.resize, canvas), { width, height, mode: 'stretch', interpolation: shrinks ? 'area' : 'bilinear' })
  const out = image.data
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]))
  return out
}
