/**
 * What a study will cost before it starts: the arithmetic part (parameters, bytes on disk, seconds per image of
 * input preparation). The training time itself is measured by timing real steps on the backend (`runs.estimate`).
 */
import { DEFAULT_BASE_WIDTH, type RunConfig } from '../runs/config'

/**
 * Weights of the classifier a run saves, counted as tfjs's `countParams()` does: every convolution kernel (no bias),
 * four numbers per batch-norm channel (scale, offset, moving mean, moving variance), and the head's dense kernels and
 * biases. The layouts are those of src-main/services/engine/models (ResNet as torchvision's, Conv8 after ALL-CNN-C);
 * a unit test checks the count against the built models.
 */
export function parameterCount(config: Pick<RunConfig, 'architecture' | 'baseWidth' | 'headHidden'>, outputs = 1): number {
  const width = config.baseWidth ?? DEFAULT_BASE_WIDTH[config.architecture]
  const conv = (kernel: number, inputs: number, filters: number) => kernel * kernel * inputs * filters + 4 * filters
  let total = 0
  let features: number
  if (config.architecture === 'conv8') {
    const layout: [number, number][] = [[3, 1], [3, 1], [3, 1], [3, 2], [3, 2], [3, 2], [3, 2], [1, 2]]
    let inputs = 1
    for (const [kernel, factor] of layout) {
      total += conv(kernel, inputs, width * factor)
      inputs = width * factor
    }
    features = inputs
  } else {
    const bottleneck = config.architecture === 'resnet50'
    const blocks = bottleneck ? [3, 4, 6, 3] : [2, 2, 2, 2]
    total += conv(7, 1, width)
    let inputs = width
    blocks.forEach((count, stage) => {
      const stageWidth = width * 2 ** stage
      const outputsOfBlock = bottleneck ? stageWidth * 4 : stageWidth
      for (let block = 0; block < count; block++) {
        const stride = stage > 0 && block === 0 ? 2 : 1
        total += bottleneck
          ? conv(1, inputs, stageWidth) + conv(3, stageWidth, stageWidth) + conv(1, stageWidth, outputsOfBlock)
          : conv(3, inputs, stageWidth) + conv(3, stageWidth, stageWidth)
        if (stride !== 1 || inputs !== outputsOfBlock) total += conv(1, inputs, outputsOfBlock)
        inputs = outputsOfBlock
      }
    })
    features = inputs
  }
  let inputs = features
  for (const hidden of config.headHidden) {
    total += inputs * hidden + hidden
    inputs = hidden
  }
  return total + inputs * outputs + outputs
}

/**
 * Bytes a run leaves on disk: its model, the best and last checkpoints of fine-tuning (the last one with the
 * optimizer's slots: one per weight for SGD momentum, two for Adam), and with pre-training the same again for that
 * phase plus the encoder. Float32 weights; JSON and topology are negligible.
 */
export function runDiskBytes(config: Pick<RunConfig, 'architecture' | 'baseWidth' | 'headHidden' | 'optimizer' | 'pretraining'>): number {
  const bytes = 4 * parameterCount(config)
  const slots = config.optimizer.kind === 'adam' ? 2 : 1
  const finetune = bytes * (3 + slots)
  return config.pretraining.kind === 'train' ? finetune + bytes * (3 + slots) : finetune
}

/** Bytes of one prepared input in the cache (Float32, one channel, crop²). */
export function inputBytes(crop: number): number {
  return 4 * crop * crop
}

/**
 * Rough seconds to prepare one input that is not cached: decoding, equalizing and resizing (≈ 33 ms per
 * covid-chestxray image on the development machine, README "Benchmarks"), plus the lung U-Net for `full` (≈ 25–30
 * ms per image there). Kermany's small JPEGs are faster; this errs on the slow side.
 */
export function preparationSecondsPerImage(preprocessing: RunConfig['preprocessing']): number {
  return preprocessing === 'full' ? 0.065 : 0.035
}

/** "2 h 05 min", "14 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—'
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** "1.2 GB", "340 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`
}
