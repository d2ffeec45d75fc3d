import { existsSync, renameSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadLayersModelFromFolder, saveLayersModel } from '../modelFiles'

/**
 * Checkpoint folders of a training (a run's `checkpoints/<phase>/last/`, a lung training's `checkpoint/`):
 * model.json + weights.bin in the TF.js layers format, optimizer.json + optimizer.bin, state.json, for resuming;
 * a run's `checkpoints/<phase>/best/` holds the model only, for the epoch kept. A folder is written under a
 * temporary name and renamed into place, so a training killed while saving keeps its previous checkpoint.
 */

/** Resumable loop state saved with a checkpoint (JSON-serialisable). */
export type CheckpointState = Record<string, unknown>

/** Saves the model's weights, the optimizer's slots and `state` into `folder` (replacing it). */
export async function saveCheckpoint(folder: string, model: tf.LayersModel, optimizer: tf.Optimizer | null, state: CheckpointState): Promise<void> {
  const staging = `${folder}.partial`
  await rm(staging, { recursive: true, force: true })
  await saveLayersModel(model, staging)
  if (optimizer) await saveOptimizer(optimizer, staging)
  await writeFile(join(staging, 'state.json'), JSON.stringify(state))
  // Old aside, new into place, old removed: at every instant one complete checkpoint exists under either name.
  const previous = `${folder}.previous`
  await rm(previous, { recursive: true, force: true })
  if (existsSync(folder)) await rename(folder, previous)
  await rename(staging, folder)
  await rm(previous, { recursive: true, force: true })
}

/** True when `folder` holds a complete checkpoint. */
export function hasCheckpoint(folder: string): boolean {
  // A run killed between the two renames of saveCheckpoint left its last complete checkpoint aside.
  if (!existsSync(folder) && existsSync(join(`${folder}.previous`, 'state.json'))) renameSync(`${folder}.previous`, folder)
  return existsSync(join(folder, 'state.json')) && existsSync(join(folder, 'model.json'))
}

/** Reads a checkpoint's state. */
export async function readCheckpointState<T>(folder: string): Promise<T> {
  return JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as T
}

/**
 * Copies saved weights into `model` (built from the same configuration), matched by weight name (layer/weight):
 * `getWeights` order depends on which layers are trainable, which differs between a frozen and an unfrozen
 * encoder. With `partial`, weights of `model` missing from the file are left as they are (an encoder checkpoint
 * into a classifier); otherwise they are an error. Shapes are checked, so a wrong architecture fails with a message.
 */
export async function loadWeightsInto(model: tf.LayersModel, folder: string, partial = false): Promise<number> {
  const saved = await loadLayersModelFromFolder(folder)
  try {
    const byName = new Map(saved.weights.map((weight) => [weight.originalName, weight]))
    let copied = 0
    for (const target of model.weights) {
      const source = byName.get(target.originalName)
      if (!source) {
        if (partial) continue
        throw new Error(`checkpoint ${folder} has no weight ${target.originalName}: it was saved from a different architecture`)
      }
      if (source.shape.join('x') !== target.shape.join('x')) {
        throw new Error(`checkpoint ${folder}: ${target.originalName} is ${source.shape.join('×')}, the model expects ${target.shape.join('×')} (a different architecture, width or input size)`)
      }
      target.write(source.read())
      copied += 1
    }
    if (copied === 0) throw new Error(`checkpoint ${folder} shares no weights with the model: a different architecture`)
    return copied
  } finally {
    saved.dispose()
  }
}

/**
 * Scalars an optimizer keeps outside `getWeights`. tfjs's Adam tracks β₁ᵗ and β₂ᵗ as running products
 * (accBeta ← accBeta·β each step) but `setWeights` recomputes them as pow(β, t + 1), which differs in the last
 * bits: a resumed run then takes slightly different steps from the uninterrupted one. They are saved and put back
 * exactly.
 */
const HIDDEN_SCALARS = ['accBeta1', 'accBeta2'] as const
const HIDDEN_PREFIX = 'cxr:'

function hiddenScalars(optimizer: tf.Optimizer): { name: string; variable: tf.Variable }[] {
  const fields = optimizer as unknown as Record<string, unknown>
  return HIDDEN_SCALARS.flatMap((name) => (fields[name] instanceof tf.Variable ? [{ name, variable: fields[name] as tf.Variable }] : []))
}

/**
 * Optimizer slots (momentum, Adam moments and step count, Adam's β powers) as one Float32 file plus a JSON
 * manifest. tfjs optimizers match slots to variables by position, not name, so the manifest keeps the order.
 */
async function saveOptimizer(optimizer: tf.Optimizer, folder: string): Promise<void> {
  const named = [...(await optimizer.getWeights()), ...hiddenScalars(optimizer).map(({ name, variable }) => ({ name: `${HIDDEN_PREFIX}${name}`, tensor: variable as tf.Tensor }))]
  const manifest = named.map(({ name, tensor }) => ({ name, shape: tensor.shape, dtype: tensor.dtype }))
  const parts = await Promise.all(named.map(({ tensor }) => tensor.data()))
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const data = new Float32Array(total)
  let offset = 0
  for (const part of parts) {
    data.set(part, offset)
    offset += part.length
  }
  await mkdir(folder, { recursive: true })
  await writeFile(join(folder, 'optimizer.bin'), new Uint8Array(data.buffer))
  await writeFile(join(folder, 'optimizer.json'), JSON.stringify(manifest))
  // getWeights returns the iteration count as a new tensor; the slot variables themselves are the optimizer's.
  for (const { name, tensor } of named) if (name === 'iter') tensor.dispose()
}

/** Restores the optimizer slots saved by {@link saveCheckpoint}; false when the checkpoint has none. */
export async function loadOptimizer(optimizer: tf.Optimizer, folder: string): Promise<boolean> {
  if (!existsSync(join(folder, 'optimizer.json'))) return false
  const manifest = JSON.parse(await readFile(join(folder, 'optimizer.json'), 'utf8')) as { name: string; shape: number[]; dtype: tf.DataType }[]
  const bytes = await readFile(join(folder, 'optimizer.bin'))
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  let offset = 0
  const named = manifest.map(({ name, shape, dtype }) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const tensor = tf.tensor(data.subarray(offset, offset + size), shape, dtype === 'int32' ? 'int32' : 'float32')
    offset += size
    return { name, tensor }
  })
  const slots = named.filter(({ name }) => !name.startsWith(HIDDEN_PREFIX))
  await optimizer.setWeights(slots)
  for (const { name, variable } of hiddenScalars(optimizer)) {
    const saved = named.find((entry) => entry.name === `${HIDDEN_PREFIX}${name}`)
    if (saved) variable.assign(saved.tensor)
  }
  // setWeights copies each into a fresh variable.
  for (const { tensor } of named) tensor.dispose()
  return true
}
