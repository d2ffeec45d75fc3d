import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import { describeNativeCodecs, nativeCodecs } from '../imaging/dicom/codecs/nativeCodecs'

const requireFromHere = createRequire(import.meta.url)

/** Versions that belong in a methods section or a bug report. */
export function collectVersions(): Record<string, string> {
  const versions: Record<string, string> = {
    node: process.versions.node,
    v8: process.versions.v8,
    'tfjs-core': tf.version_core,
    tfjs: tf.version.tfjs,
  }
  if (process.versions.electron) versions.electron = process.versions.electron
  if (process.versions.chrome) versions.chrome = process.versions.chrome
  for (const name of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const version = packageVersion(name)
    if (version) versions[name.replace('@tensorflow/', '')] = version
  }
  // Which decoders turn JPEG 2000 and 12-bit JPEG into pixels: part of how an image was read, so it belongs here.
  versions['DICOM codecs'] = describeNativeCodecs(nativeCodecs())
  return versions
}

function packageVersion(name: string): string | undefined {
  try {
    return (requireFromHere(`${name}/package.json`) as { version: string }).version
  } catch {
    return undefined
  }
}
