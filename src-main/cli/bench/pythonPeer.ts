import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { environmentForOtherPrograms } from '../../services/engine/onednn/openmpEnvironment'
import { findProjectRoot } from '../../services/resources/projectRoot'

/** What a Python peer script printed as its last line of JSON, or why it could not run. */
export type PythonPeerResult<Figures> = ({ ok: true } & Figures) | { ok: false; reason: string }

/** How to run one of the reference scripts in tests/bench. */
export interface PythonPeerCall {
  /** File name in tests/bench. */
  script: string
  args: string[]
  /** Name of the peer in messages: "PyTorch peer", "pydicom+GDCM peer". */
  label: string
  /** When stderr matches, the plain reason to give instead of the traceback (a Debian package to install). */
  missing: { pattern: RegExp; reason: string }
  timeoutMs?: number
}

/**
 * Runs a reference implementation script with Debian's python3 (CXR_PYTHON overrides it), so `npm run bench`
 * prints the peer's figures beside ours. A missing Python package is a reason, not an error: the benchmark is about
 * figures, and most workstations will not have the peer installed. The peer gets the user's OpenMP environment, not
 * the spin count this process chose for itself: the reference runs as its users run it.
 */
export function runPythonPeer<Figures>({ script, args, label, missing, timeoutMs = 15 * 60_000 }: PythonPeerCall): Promise<PythonPeerResult<Figures>> {
  const path = join(findProjectRoot(), 'tests', 'bench', script)
  const python = process.env.CXR_PYTHON ?? '/usr/bin/python3'
  return new Promise((resolve) => {
    execFile(python, [path, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20, env: environmentForOtherPrograms() }, (error, stdout, stderr) => {
      if (error) {
        const reason = missing.pattern.test(stderr) ? missing.reason : (stderr || error.message).split('\n').filter(Boolean).pop()
        resolve({ ok: false, reason: `${label} not run: ${reason}` })
        return
      }
      try {
        resolve({ ok: true, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Figures) })
      } catch {
        resolve({ ok: false, reason: `${label} printed no JSON: ${stdout.slice(0, 200)}` })
      }
    })
  })
}
