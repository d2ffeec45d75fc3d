import { execFile } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import type { GpuInfo, SystemReport } from '@shared/system/systemTypes'

/** CPU, memory and GPUs of this machine, as the System page shows them. */
export async function describeMachine(): Promise<SystemReport['machine']> {
  const cpuList = cpus()
  const { gpus, probe } = await probeGpus()
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpuList[0]?.model.trim() || 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gpus,
    gpuProbe: probe,
  }
}

/**
 * Asks `nvidia-smi` for CUDA GPUs: the only GPUs the native TensorFlow backend can use. Its absence is normal
 * (no NVIDIA driver) and is reported, not treated as an error.
 */
export function probeGpus(timeoutMs = 3000): Promise<{ gpus: GpuInfo[]; probe: string }> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'],
      { timeout: timeoutMs },
      (error, stdout) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
          resolve({ gpus: [], probe: missing ? 'nvidia-smi not found: no NVIDIA driver on this machine' : `nvidia-smi failed: ${error.message.split('\n')[0]}` })
          return
        }
        const gpus = stdout
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const [name, memory, driver] = line.split(',').map((part) => part.trim())
            const memoryMiB = Number(memory)
            return { name, memoryMiB: Number.isFinite(memoryMiB) ? memoryMiB : null, driver: driver || null }
          })
        resolve({ gpus, probe: `nvidia-smi found ${gpus.length} GPU(s)` })
      },
    )
  })
}
