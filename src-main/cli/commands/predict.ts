import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MODEL_CARD_FILE } from '../../services/runs/executeJob'
import { UsageError, type CliCommand } from '../command'

/** `cxr predict RUN_ID_OR_MODEL_DIR IMAGE…`: COVID+ probability per image, one tab-separated line each. */
export const predictCommand: CliCommand = {
  name: 'predict',
  summary: "print each image's COVID+ probability under a trained run's model",
  usage: 'cxr predict RUN_ID_OR_MODEL_DIR IMAGE…',
  async run(args, { io, services }) {
    if (args.length < 2) throw new UsageError('give a run id (or a model folder) and at least one image')
    const [target, ...imagePaths] = args
    // A missing file is a failure (exit 1), not a usage mistake, as in `cxr compose`/`cxr import`.
    for (const path of imagePaths) if (!existsSync(path)) throw new Error(`no such image: ${path}`)
    const runs = services().runs
    try {
      const predictions = existsSync(join(target, MODEL_CARD_FILE))
        ? await runs.predictFolder(target, imagePaths)
        : await runs.predict({ runId: target, imagePaths })
      for (const { path, probability } of predictions) io.stdout(`${probability.toFixed(4)}\t${path}\n`)
      return 0
    } finally {
      await runs.close()
    }
  },
}
