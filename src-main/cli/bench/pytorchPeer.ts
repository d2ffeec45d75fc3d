import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { environmentForOtherPrograms } from '../../services/engine/onednn/openmpEnvironment'
import { findProjectRoot } from '../../services/resources/projectRoot'

/** What the PyTorch peer measured, or why it could not run. */
export type PytorchPeerResult =
  | { ok: true; torch: string; threads: number; forwardMsPerImage: number; trainStepMsPerImage: number }
  | { ok: false; reason: string }

/**
 * Runs `tests/bench/pytorch_resnet18.py` (the same network, batch, size and optimiser in PyTorch) with Debian's
 * python3, so `npm run bench` prints the reference implementation's figures beside ours. Absent python3-torch is a
 * reason, not an error: the benchmark is about figures, and most workstations will not have it. The peer runs with
 * the user's OpenMP environment, not the spin count this process chose for itself: PyTorch as its users run it.
 */
export function runPytorchPeer(options: { batch: number; size: number; runs: number; warmup: number; threads?: number }): Promise<PytorchPeerResult> {
  const script = join(findProjectRoot(), 'tests', 'bench', 'pytorch_resnet18.py')
  const python = process.env.CXR_PYTHON ?? '/usr/bin/python3'
  const args = [script, '--batch', String(options.batch), '--size', String(options.size), '--runs', String(options.runs), '--warmup', String(options.warmup), '--threads', String(options.threads ?? 2)]
  return new Promise((resolve) => {
    execFile(python, args, { timeout: 15 * 60_000, maxBuffer: 1 << 20, env: environmentForOtherPrograms() }, (error, stdout, stderr) => {
      if (error) {
        const missing = /No module named '?torch/.test(stderr) ? 'python3-torch is not installed (apt-get install python3-torch python3-torchvision)' : (stderr || error.message).split('\n').filter(Boolean).pop()
        resolve({ ok: false, reason: `PyTorch peer not run: ${missing}` })
        return
      }
      try {
        resolve({ ok: true, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<Extract<PytorchPeerResult, { ok: true }>, 'ok'>) })
      } catch {
        resolve({ ok: false, reason: `PyTorch peer printed no JSON: ${stdout.slice(0, 200)}` })
      }
    })
  })
}
