import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'

/**
 * A small labelled collection the test writes itself: 12 patients × 2 PNGs, half COVID-19, with a CSV that also
 * carries columns a study does not need (sex, notes), as hospital exports do.
 */
export async function writeCollection(variant = 0): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'cxr-e2e-collection-'))
  mkdirSync(join(root, 'images'))
  const rows = ['file,finding,patient,view,sex,notes']
  for (let patient = 0; patient < 12; patient++) {
    for (let image = 0; image < 2; image++) {
      const name = `p${patient}_${image}.png`
      const pixels = Buffer.alloc(32 * 32, (patient * 17 + image * 5 + variant * 101) % 256)
      pixels[patient * 32 + image] = 255
      await sharp(pixels, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(join(root, 'images', name))
      rows.push(`${name},${patient % 2 === 0 ? 'COVID-19' : 'Normal'},P${patient},PA,${patient % 3 === 0 ? 'F' : 'M'},follow-up ${patient}`)
    }
  }
  writeFileSync(join(root, 'labels.csv'), rows.join('\n') + '\n')
  return root
}

