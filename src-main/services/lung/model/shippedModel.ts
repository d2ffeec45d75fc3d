import { join } from 'node:path'
import { findProjectRoot } from '../../resources/projectRoot'

/** Where the shipped lung model lives, relative to the project (and app) root. */
export const LUNG_MODEL_RELATIVE_DIR = join('resources', 'models', 'lung-unet')

/** The shipped lung model's folder: `<project root>/resources/models/lung-unet`. */
export function defaultLungModelDir(): string {
  return join(findProjectRoot(), LUNG_MODEL_RELATIVE_DIR)
}
