import { z } from 'zod'

/**
 * The privacy settings the System page shows. Identifying data (DICOM patient names and dates, table columns of
 * older imports) appears in listings only while `showPhi` is on; no request can ask for it on its own.
 */
export const PrivacySettingsSchema = z.object({ showPhi: z.boolean() })
/** The privacy settings. */
export type PrivacySettings = z.infer<typeof PrivacySettingsSchema>

/** Turn showing identifying data on or off (the System page; the desktop app asks the user to confirm "on"). */
export const SetShowPhiRequestSchema = z.object({ show: z.boolean() }).strict()
