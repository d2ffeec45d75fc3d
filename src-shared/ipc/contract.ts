import { z } from 'zod'
import { BackendPreferenceSchema, EngineReportSchema } from '../system/engineTypes'
import { ChooseFolderRequestSchema, ChosenFolderSchema, FolderListingSchema, GrantedFoldersSchema, GrantFolderRequestSchema, ListFolderRequestSchema } from '../files/types'
import { MAX_VIEWER_FILE_BYTES, OpenFileRequestSchema, ViewerImageSchema } from '../imaging/viewerImage'
import { SystemReportSchema } from '../system/systemTypes'
import { PrivacySettingsSchema, SetShowPhiRequestSchema } from '../system/privacy'
import { MAX_REQUEST_BYTES } from './envelope'
import { compositionChannels, libraryChannels, libraryEvents } from './libraryContract'
import { runsChannels, runsEvents } from './runsContract'
import { evaluationChannels, evaluationEvents } from './evaluationContract'
import { lungMaskChannels, lungMaskEvents } from './lungMasksContract'
import { explainChannels } from './explainContract'
import { reportChannels } from './reportContract'
import { lungModelChannels, lungModelEvents } from './lungModelsContract'
import { studiesChannels, studiesEvents } from './studiesContract'
import { clusterChannels, clusterEvents } from './clusterContract'

/**
 * The IPC contract: every call the renderer may make, grouped by service, each with the schema its request must
 * pass before any service sees it and the schema of its answer. Both transports (Electron IPC and the loopback
 * bridge) bind exactly this map, so the UI cannot reach anything that is not listed here.
 */
export const contract = {
  system: {
    /** Versions, machine, data folder and the engine report (System page, bug reports). */
    getReport: { request: z.object({}).strict(), response: SystemReportSchema },
    /** Whether identifying data is shown in listings. */
    privacy: { request: z.object({}).strict(), response: PrivacySettingsSchema },
    /** The System page's switch for showing identifying data; the only way to turn it on. */
    setShowPhi: { request: SetShowPhiRequestSchema, response: PrivacySettingsSchema },
  },
  engine: {
    /** Which backend runs and why the others were skipped. */
    getReport: { request: z.object({}).strict(), response: EngineReportSchema },
    /** Saves a backend preference and re-runs the ladder; an environment override still wins. */
    setPreference: {
      request: z.object({ preference: BackendPreferenceSchema }).strict(),
      response: EngineReportSchema,
    },
  },
  files: {
    /** A folder's entries, for the built-in folder picker: under its roots or inside a granted folder. */
    listFolder: { request: ListFolderRequestSchema, response: FolderListingSchema },
    /** Browser mode: the picker's confirmation step (the ticket comes from the listing); imports may read inside. */
    grantFolder: { request: GrantFolderRequestSchema, response: GrantedFoldersSchema },
    /** Desktop app: the system's folder dialog, shown by the main process; what the user picks is granted. */
    chooseFolder: { request: ChooseFolderRequestSchema, response: ChosenFolderSchema },
    /** Folders the user has chosen, most recent first. */
    grantedFolders: { request: z.object({}).strict(), response: GrantedFoldersSchema },
  },
  library: libraryChannels,
  runs: runsChannels,
  lungMasks: lungMaskChannels,
  evaluation: evaluationChannels,
  explain: explainChannels,
  report: reportChannels,
  lungModels: lungModelChannels,
  studies: studiesChannels,
  cluster: clusterChannels,
  compositions: compositionChannels,
  imaging: {
    /** Decodes a file the user picked or dropped (DICOM, PNG, JPEG) for the viewer. */
    openFile: { request: OpenFileRequestSchema, response: ViewerImageSchema, maxRequestBytes: MAX_VIEWER_FILE_BYTES + 4096 },
    /** Decodes a library image by its path (inside a folder the user chose), e.g. from the dataset browser. */
    openPath: { request: z.object({ path: z.string().min(1).max(4096), frame: z.number().int().nonnegative().optional() }).strict(), response: ViewerImageSchema },
  },
} as const satisfies ContractShape

/**
 * Events flow from the main process to the renderer only; each carries a payload of the given schema.
 * Names follow VS Code's `onDid…` convention.
 */
export const events = {
  'engine.onDidChangeBackend': EngineReportSchema,
  ...libraryEvents,
  ...runsEvents,
  ...lungMaskEvents,
  ...evaluationEvents,
  ...lungModelEvents,
  ...studiesEvents,
  ...clusterEvents,
  'system.onDidLog': z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string(), time: z.string() }),
} as const satisfies Record<string, z.ZodType>

/** The structure every contract must have: service → method → request/response schemas. */
export type ContractShape = Record<string, Record<string, ChannelSpec>>

/** One channel: its schemas, and a size limit for the rare requests that carry file bytes. */
export interface ChannelSpec {
  request: z.ZodType
  response: z.ZodType
  /** Largest request accepted, in bytes; MAX_REQUEST_BYTES when absent. */
  maxRequestBytes?: number
}

export type Contract = typeof contract
export type ServiceName = keyof Contract
export type MethodName<S extends ServiceName> = keyof Contract[S] & string
/** `service.method`, the name a call travels under on every transport. */
export type ChannelName = { [S in ServiceName]: `${S}.${MethodName<S>}` }[ServiceName]
export type EventName = keyof typeof events

type Spec<S extends ServiceName, M extends MethodName<S>> = Contract[S][M] extends {
  request: infer Q extends z.ZodType
  response: infer R extends z.ZodType
}
  ? { request: Q; response: R }
  : never

/** What a caller passes (before defaults are applied). */
export type RequestOf<S extends ServiceName, M extends MethodName<S>> = z.input<Spec<S, M>['request']>
/** What a handler receives (after parsing). */
export type ParsedRequestOf<S extends ServiceName, M extends MethodName<S>> = z.output<Spec<S, M>['request']>
export type ResponseOf<S extends ServiceName, M extends MethodName<S>> = z.output<Spec<S, M>['response']>
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

/** The typed API the renderer calls: `api.system.getReport({})`. */
export type CxrApi = {
  [S in ServiceName]: { [M in MethodName<S>]: (request: RequestOf<S, M>) => Promise<ResponseOf<S, M>> }
}

/** What the main process implements: the same methods, receiving already-parsed requests. */
export type CxrHandlers = {
  [S in ServiceName]: { [M in MethodName<S>]: (request: ParsedRequestOf<S, M>) => Promise<ResponseOf<S, M>> | ResponseOf<S, M> }
}

/** Every channel name in the contract, for transports that must reject anything else. */
export const CHANNELS: readonly ChannelName[] = Object.entries(contract).flatMap(([service, methods]) =>
  Object.keys(methods).map((method) => `${service}.${method}` as ChannelName),
)

/** The largest request any channel accepts: what a transport must be ready to receive. */
export const LARGEST_REQUEST_BYTES = Math.max(
  MAX_REQUEST_BYTES,
  ...Object.values(contract as ContractShape).flatMap((methods) => Object.values(methods).map((spec) => spec.maxRequestBytes ?? 0)),
)

/** Every event name in the contract. */
export const EVENT_NAMES = Object.keys(events) as EventName[]

/** Looks a channel up; `undefined` for anything not in the contract (including prototype keys). */
export function findChannel(name: unknown): { service: ServiceName; method: string; spec: ChannelSpec } | undefined {
  if (typeof name !== 'string' || !(CHANNELS as readonly string[]).includes(name)) return undefined
  const [service, method] = name.split('.') as [ServiceName, string]
  const spec = (contract[service] as Record<string, ChannelSpec>)[method]
  return spec ? { service, method, spec } : undefined
}
