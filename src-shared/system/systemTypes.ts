import { z } from 'zod'
import { EngineReportSchema } from './engineTypes'

/** A GPU the machine reports, when a tool to ask is available. */
export const GpuInfoSchema = z.object({ name: z.string(), memoryMiB: z.number().nullable(), driver: z.string().nullable() })
export type GpuInfo = z.infer<typeof GpuInfoSchema>

/** Everything the System page shows: enough for a bug report or a methods section. */
export const SystemReportSchema = z.object({
  app: z.object({ name: z.string(), version: z.string(), mode: z.enum(['electron', 'browser', 'cli']) }),
  engine: EngineReportSchema,
  machine: z.object({
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    cores: z.number(),
    memoryGiB: z.number(),
    gpus: z.array(GpuInfoSchema),
    gpuProbe: z.string(),
  }),
  versions: z.record(z.string(), z.string()),
  dataFolder: z.string(),
})
export type SystemReport = z.infer<typeof SystemReportSchema>
