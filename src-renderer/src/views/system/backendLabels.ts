import type { BackendAttempt, BackendName } from '@shared/system/engineTypes'

/** Plain-language description of each backend, for researchers who never chose one. */
export function backendLabel(backend: BackendName): string {
  switch (backend) {
    case 'tensorflow-gpu':
      return 'Native TensorFlow on an NVIDIA GPU (CUDA): the fastest'
    case 'tensorflow':
      return 'Native TensorFlow on the CPU'
    case 'onednn':
      return 'oneDNN on all CPU cores (the project\'s native kernels): trains about as fast as PyTorch'
    case 'wasm':
      return 'WebAssembly on the CPU: works everywhere, slower to train'
    case 'cpu':
      return 'Plain JavaScript: a last resort, far too slow to train real models'
  }
}

/** A status word for the ladder table. */
export function statusLabel(status: BackendAttempt['status']): string {
  return { active: 'running', skipped: 'skipped', failed: 'unavailable', 'not-tried': 'not tried' }[status]
}
