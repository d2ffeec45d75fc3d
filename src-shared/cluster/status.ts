import { z } from 'zod'
import type { RunState } from '../runs/record'
import type { SchedulerTask } from './slurm'

/**
 * Where a bundle's task is, from what can be seen: the run's files in the bundle's results (the truth about the
 * run) and Slurm's queue (where it waits or runs), each when it can be reached.
 * - `waiting`: not submitted yet; `pending`: in Slurm's queue; `running`: training;
 * - `stopped`: stopped with a checkpoint (cancelled, pre-empted, out of time): submitting it again continues it;
 * - `failed`: failed (the reason says why); `completed`: finished on the cluster; `imported`: in the library.
 */
export const ClusterTaskStateSchema = z.enum(['waiting', 'pending', 'running', 'stopped', 'failed', 'completed', 'imported'])
/** Where a bundle's task is. */
export type ClusterTaskState = z.infer<typeof ClusterTaskStateSchema>

/** One task of a bundle as the Runs page and `cxr bundle status` show it. */
export const ClusterTaskSchema = z.object({
  task: z.number().int().min(0),
  runId: z.string(),
  name: z.string(),
  state: ClusterTaskStateSchema,
  /** The state in words, with the node, epoch or reason. */
  detail: z.string(),
  node: z.string().nullable(),
  /** Slurm's own word for the task, when Slurm was asked. */
  schedulerState: z.string().nullable(),
})
/** One task of a bundle. */
export type ClusterTask = z.infer<typeof ClusterTaskSchema>

/** One `sbatch` of a bundle: the array job's id and the tasks it covered. */
export const SubmissionSchema = z.object({ jobId: z.string(), tasks: z.array(z.number().int().min(0)), submittedAt: z.string() })
/** One submission of a bundle. */
export type Submission = z.infer<typeof SubmissionSchema>

/** A bundle with its tasks' states. */
export const BundleStatusSchema = z.object({
  folder: z.string(),
  bundleId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  tasks: z.array(ClusterTaskSchema),
  /** Whether Slurm answered from this machine, and if not why (the states then come from the results alone). */
  slurm: z.object({ reachable: z.boolean(), note: z.string() }),
  submissions: z.array(SubmissionSchema),
  /** True when a Slurm batch script was written. */
  hasScript: z.boolean(),
})
/** A bundle with its tasks' states. */
export type BundleStatus = z.infer<typeof BundleStatusSchema>

/** What is known about one task. */
export interface TaskEvidence {
  /** The run's record in the bundle's results, if the task started. */
  record: { state: RunState; failureReason: string | null; phase: string | null; epoch: number | null; epochs: number | null; host: string | null } | null
  /** result.json is there: the run finished and listed its files. */
  finished: boolean
  imported: boolean
  /** The task in Slurm's queue or accounting (null: not found, or Slurm not reachable). */
  scheduler: SchedulerTask | null
  /** The run's owner (its training process) renewed its lease lately. */
  ownerAlive: boolean
  submitted: boolean
}

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SUSPENDED'])
const ACTIVE = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'RESIZING'])
/** Slurm's endings after which the run's last checkpoint is there to continue from. */
const INTERRUPTED = new Set(['CANCELLED', 'PREEMPTED', 'TIMEOUT', 'DEADLINE', 'NODE_FAIL', 'BOOT_FAIL', 'STOPPED'])

function slurmSays(scheduler: SchedulerTask): string {
  return `Slurm: ${scheduler.state.toLowerCase().replace(/_/g, ' ')}${scheduler.reason && scheduler.reason !== 'None' ? `, ${scheduler.reason}` : ''}`
}

/** The state of a task and a sentence about it, from the evidence. */
export function describeTask(evidence: TaskEvidence): { state: ClusterTaskState; detail: string } {
  const { record, scheduler } = evidence
  const node = scheduler?.node ?? record?.host ?? null
  const on = node ? ` on node ${node}` : ''
  if (evidence.imported) return { state: 'imported', detail: 'in the library' }
  if (evidence.finished) return { state: 'completed', detail: `finished${on}; import the results to see it with the other runs` }
  if (scheduler && QUEUED.has(scheduler.state)) return { state: 'pending', detail: `queued (${slurmSays(scheduler)})` }
  const where = record?.phase && record.epoch !== null && record.epochs !== null ? `: ${record.phase === 'pretrain' ? 'pre-training' : record.phase === 'finetune' ? 'fine-tuning' : 'preparing inputs'}${record.phase === 'preparing' ? '' : ` epoch ${record.epoch + 1} of ${record.epochs}`}` : ''
  if ((scheduler && ACTIVE.has(scheduler.state)) || (record?.state === 'running' && evidence.ownerAlive)) return { state: 'running', detail: `training${on}${where}` }
  if (scheduler?.state === 'OUT_OF_MEMORY') return { state: 'failed', detail: `ran out of memory${on}: ask for more memory per task and submit it again (it continues from its last checkpoint)` }
  if (record?.state === 'failed') return { state: 'failed', detail: `failed${on}: ${record.failureReason ?? 'no reason recorded'}` }
  if (record && (record.state === 'cancelled' || record.state === 'interrupted' || record.state === 'running' || record.state === 'queued')) {
    return { state: 'stopped', detail: `stopped${on}${scheduler ? ` (${slurmSays(scheduler)})` : ''}; submit it again to continue from its last checkpoint` }
  }
  if (record?.state === 'completed') return { state: 'failed', detail: `ended${on} without its list of result files (result.json): submit it again to finish it` }
  if (scheduler && INTERRUPTED.has(scheduler.state)) return { state: 'stopped', detail: `ended before training started (${slurmSays(scheduler)}); submit it again` }
  if (scheduler) return { state: 'failed', detail: `ended before training started (${slurmSays(scheduler)}${scheduler.exitCode ? `, exit ${scheduler.exitCode}` : ''}); see logs/task-${scheduler.task}.out in the bundle` }
  return { state: 'waiting', detail: evidence.submitted ? 'submitted; not seen in Slurm from here (the results show nothing yet)' : 'not submitted yet' }
}
