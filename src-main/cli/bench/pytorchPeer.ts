import { runPythonPeer, type PythonPeerResult } from './pythonPeer'

/** What the PyTorch peer measured, or why it could not run. */
export type PytorchPeerResult = PythonPeerResult<{ torch: string; threads: number; forwardMsPerImage: number; trainStepMsPerImage: number }>

/**
 * Runs `tests/bench/pytorch_resnet18.py` (the same network, batch, size and optimiser in PyTorch) with Debian's
 * python3, so `npm run bench` prints the reference implementation's figures beside ours.
 */
export function runPytorchPeer(options: { batch: number; size: number; runs: number; warmup: number; threads?: number }): Promise<PytorchPeerResult> {
  return runPythonPeer({
    script: 'pytorch_resnet18.py',
    args: ['--batch', String(options.batch), '--size', String(options.size), '--runs', String(options.runs), '--warmup', String(options.warmup), '--threads', String(options.threads ?? 2)],
    label: 'PyTorch peer',
    missing: { pattern: /No module named '?torch/, reason: 'python3-torch is not installed (apt-get install python3-torch python3-torchvision)' },
  })
}
