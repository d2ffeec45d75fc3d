import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureImportRate } from '../../../src-main/services/datasets/import/benchmark'
import { temporaryFolder, writePng, writeText } from './support'

let source: { path: string; cleanup: () => void }

beforeAll(async () => {
  source = temporaryFolder('cxr-bench-')
  const files = ['NORMAL/IM-0001-0001.png', 'NORMAL/IM-0002-0001.png', 'PNEUMONIA/person1_bacteria_1.png', 'PNEUMONIA/person2_virus_2.png']
  await Promise.all(files.map((file, index) => writePng(join(source.path, 'layout', file), index + 1)))
  await Promise.all(['a.png', 'b.png', 'c.png'].map((file, index) => writePng(join(source.path, 'listed', 'images', file), index + 10)))
  writeText(join(source.path, 'listed', 'INDEX.csv'), 'image,finding\na.png,x\nb.png,y\nc.png,x\n')
})

afterAll(() => source.cleanup())

describe('measureImportRate', () => {
  it('times a full import of a guessed layout and leaves nothing behind', async () => {
    const layout = await measureImportRate(join(source.path, 'layout'))
    expect(layout).toMatchObject({ kind: 'folder-per-class', images: 4, failed: 0 })
    expect(layout.imagesPerSecond).toBeGreaterThan(0)
    expect(layout.imagesPerSecond).toBeCloseTo(layout.images / layout.seconds, 6)

    // A CSV whose files sit in a sub-folder, as lungmask-radiologist's INDEX.csv and images/.
    expect(await measureImportRate(join(source.path, 'listed'))).toMatchObject({ kind: 'csv', images: 3, failed: 0 })
  })
})
