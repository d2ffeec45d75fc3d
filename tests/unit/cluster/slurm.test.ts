/**
 * What Slurm's tools print, read back (squeue, sacct, scontrol: the lines below are the formats of Slurm 22.05 as
 * Debian 12 ships it, the scontrol line as the single-node cluster of the cluster test printed it), a task's state
 * from its evidence, and the batch script's directives from the resources.
 */
import { describe, expect, it } from 'vitest'
import { describeTask, parseSacct, parseScontrolJobs, parseSqueue, renderSubmitScript, SlurmResourcesSchema, type TaskEvidence } from '@shared/cluster'

describe("Slurm's answers", () => {
  it('squeue: running tasks one per line, a pending range expanded', () => {
    const tasks = parseSqueue('12_3|RUNNING|node07|None\n12_[4-6%2]|PENDING|(null)|JobArrayTaskLimit\n99|RUNNING|node01|None\n')
    expect(tasks.map((task) => [task.arrayJobId, task.task, task.state, task.node, task.reason])).toEqual([
      ['12', 3, 'RUNNING', 'node07', null],
      ['12', 4, 'PENDING', null, 'JobArrayTaskLimit'],
      ['12', 5, 'PENDING', null, 'JobArrayTaskLimit'],
      ['12', 6, 'PENDING', null, 'JobArrayTaskLimit'],
    ])
  })

  it('sacct: the state word apart from "by UID", job steps ignored', () => {
    const tasks = parseSacct('12_0|COMPLETED|node07|0:0\n12_0.batch|COMPLETED|node07|0:0\n12_1|CANCELLED by 0|node08|0:15\n')
    expect(tasks).toEqual([
      { arrayJobId: '12', task: 0, state: 'COMPLETED', node: 'node07', reason: null, exitCode: '0:0' },
      { arrayJobId: '12', task: 1, state: 'CANCELLED', node: 'node08', reason: 'CANCELLED by 0', exitCode: '0:15' },
    ])
  })

  it('scontrol -o show job: one line per task, as a cluster without accounting keeps ended jobs', () => {
    const line = 'JobId=2 ArrayJobId=1 ArrayTaskId=0 JobName=t.sbatch UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 NodeList=vm BatchHost=vm'
    expect(parseScontrolJobs(line)).toEqual([{ arrayJobId: '1', task: 0, state: 'COMPLETED', node: 'vm', reason: null, exitCode: '0:0' }])
  })
})

describe("a task's state", () => {
  const none: TaskEvidence = { record: null, finished: false, imported: false, scheduler: null, ownerAlive: false, submitted: false }
  const record = (state: 'running' | 'cancelled' | 'failed' | 'completed') => ({ state, failureReason: state === 'failed' ? 'out of disk' : null, phase: 'finetune', epoch: 2, epochs: 5, host: 'node07' })

  it('reads the results first, then the queue', () => {
    expect(describeTask(none).state).toBe('waiting')
    expect(describeTask({ ...none, submitted: true, scheduler: { arrayJobId: '1', task: 0, state: 'PENDING', node: null, reason: 'Resources', exitCode: null } })).toEqual({ state: 'pending', detail: 'queued (Slurm: pending, Resources)' })
    expect(describeTask({ ...none, record: record('running'), ownerAlive: true })).toEqual({ state: 'running', detail: 'training on node node07: fine-tuning epoch 3 of 5' })
    expect(describeTask({ ...none, record: record('running'), scheduler: { arrayJobId: '1', task: 0, state: 'PREEMPTED', node: 'node07', reason: null, exitCode: null } }).state).toBe('stopped')
    expect(describeTask({ ...none, record: record('failed') }).detail).toBe('failed on node node07: out of disk')
    expect(describeTask({ ...none, record: record('completed'), finished: true }).state).toBe('completed')
    expect(describeTask({ ...none, record: record('completed'), finished: true, imported: true }).state).toBe('imported')
    expect(describeTask({ ...none, scheduler: { arrayJobId: '1', task: 0, state: 'OUT_OF_MEMORY', node: 'node07', reason: null, exitCode: '0:125' } }).detail).toMatch(/^ran out of memory on node node07: ask for more memory/)
  })
})

describe('the batch script', () => {
  it('asks each task for the resources, GPUs only when asked, and cannot be given a shell command through a field', () => {
    const runs = [0, 1, 2].map((task) => ({ task, runId: `run-${task}`, name: `seed ${task}` }))
    const cpu = renderSubmitScript({ name: 'Paper grid', appVersion: '1.2.3', runs, resources: SlurmResourcesSchema.parse({ cpus: 8, memory: '16G', partition: 'short', time: '04:00:00', maxParallel: 2 }) })
    expect(cpu).toContain('#SBATCH --array=0-2%2\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=8\n#SBATCH --mem=16G\n#SBATCH --time=04:00:00\n#SBATCH --partition=short\n')
    expect(cpu).not.toContain('--gres')
    expect(cpu).toContain('cxr bundle run "$BUNDLE" --task "$SLURM_ARRAY_TASK_ID"')
    const gpu = renderSubmitScript({ name: 'x', appVersion: '1.2.3', runs, resources: SlurmResourcesSchema.parse({ cpus: 4, memory: '8G', gpus: 1, backend: 'tensorflow-gpu' }) })
    expect(gpu).toContain('#SBATCH --gres=gpu:1\n')
    expect(gpu).toContain('export CXR_BACKEND="${CXR_BACKEND:-tensorflow-gpu}"')
    expect(SlurmResourcesSchema.safeParse({ cpus: 1, memory: '8G', partition: 'a; rm -rf ~' }).success).toBe(false)
    expect(SlurmResourcesSchema.safeParse({ cpus: 1, memory: '8G\n#SBATCH --x' }).success).toBe(false)
  })
})
