/**
 * The shipped lung model (resources/models/lung-unet, built by `cxr train-lungs`) on real held-out radiographs:
 * images its card lists in the test split, so none of them, nor their patients, was trained on.
 */
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { decodeImageFile } from '../../../../src-main/services/imaging/index'
import { evaluateLungModel } from '../../../../src-main/services/lung/training/evaluateLungModel'
import { loadLungModel, type LungModel } from '../../../../src-main/services/lung/model/lungModel'
import type { MaskPair } from '../../../../src-main/services/lung/training/maskPairs'
import { defaultLungModelDir } from '../../../../src-main/services/lung/model/shippedModel'
import { segmentImage } from '../../../../src-main/services/lung/model/segmentImage'
import { sharedLungSources } from '../../../../src-main/services/lung/training/sharedLungSources'
import { hasSharedData, missingDataReason, SHARED_DATA } from '../../../helpers/sharedData'
import { skipWithReason } from '../../../helpers/skip'

/** Held-out images scored here: a few keep the suite fast; the card has the full held-out score. */
const IMAGES = 4

const modelDir = defaultLungModelDir()
const modelPresent = existsSync(join(modelDir, 'model.json')) && existsSync(join(modelDir, 'model-card.json'))
const dataPresent = hasSharedData('lungmask-radiologist') && hasSharedData('covid-chestxray/lung-masks-v7')
let lung: LungModel | undefined
let heldOut: MaskPair[] = []

function skipReason(): string | undefined {
  if (!modelPresent) return `skipped: no shipped lung model in ${modelDir} (build it with 'cxr train-lungs')`
  if (!dataPresent) return missingDataReason('lungmask-radiologist')
  return undefined
}

beforeAll(async () => {
  if (skipReason()) return
  await initWasmBackend()
  lung = await loadLungModel(modelDir)
  const images = (lung.card as unknown as { trainingData: { images: Array<{ id: string; split: string }> } }).trainingData.images
  const testIds = new Set(images.filter((image) => image.split === 'test').map((image) => image.id))
  const pairs: MaskPair[] = []
  for (const source of await sharedLungSources(SHARED_DATA)) pairs.push(...(await source.list()).pairs)
  heldOut = pairs.filter((pair) => testIds.has(pair.id)).slice(0, IMAGES)
})

afterAll(() => lung?.model.dispose())

describe('shipped lung model', () => {
  it('is small enough to ship and its card says what it reached', (context) => {
    if (!modelPresent) return skipWithReason(context, skipReason() as string)
    expect(statSync(join(modelDir, 'weights.bin')).size).toBeLessThanOrEqual(10 * 1024 * 1024)
    if (!lung) return skipWithReason(context, skipReason() as string)
    expect(lung.card.evaluation.heldOut.images).toBeGreaterThan(0)
    expect(lung.card.evaluation.heldOut.meanDice).toBeGreaterThan(0)
  })

  it(`reaches Dice ≥ 0.9 on ${IMAGES} real held-out radiographs at their own size`, async (context) => {
    const reason = skipReason()
    if (reason || !lung) return skipWithReason(context, reason ?? 'model not loaded')
    expect(heldOut).toHaveLength(IMAGES)
    const evaluation = await evaluateLungModel(lung.model, heldOut, { resizeMode: lung.card.preprocessing.resizeMode, postprocess: lung.card.postprocessing })
    console.info(`shipped lung model on ${IMAGES} held-out images: ${evaluation.perImage.map((score) => `${score.id} ${score.dice.toFixed(3)}`).join(', ')}`)
    expect(evaluation.overall.meanDice).toBeGreaterThanOrEqual(0.9)
  })

  it('leaves no tensor behind on a real radiograph', async (context) => {
    const reason = skipReason()
    if (reason || !lung) return skipWithReason(context, reason ?? 'model not loaded')
    const decoded = await decodeImageFile(heldOut[0].imagePath)
    const before = tf.memory().numTensors
    const result = await segmentImage(lung.model, decoded, { resizeMode: lung.card.preprocessing.resizeMode })
    expect(tf.memory().numTensors).toBe(before)
    expect([result.mask.width, result.mask.height]).toEqual([decoded.width, decoded.height])
  })
})
