/**
 * The sizes the imaging service refuses to go beyond, whatever a header claims, so that a damaged
 * or hostile file fails with a message instead of taking gigabytes or minutes.
 */

/**
 * Samples in one frame: 2^26 (64 Mi), e.g. 8192 x 8192 grey. The largest chest detectors give
 * about 3000 x 3000 (43 cm at 139 um) to 4300 x 4300 (100 um), and the largest mammography
 * detectors 4096 x 5625 (23 M): the cap leaves three times the largest of them. One frame at the
 * cap costs about 512 MiB decoded (32-bit stored values plus 32-bit computed pixels), which a
 * workstation can still hold; a header asking for more is damaged or hostile.
 */
export const MAX_SAMPLES_PER_FRAME = 2 ** 26

/**
 * The most a deflated data set may inflate to when its header cannot be read first: one frame at
 * the sample cap in 32-bit words. Normally the bound is what the header's own image needs (see
 * dicom/parse.ts), far below this.
 */
export const MAX_INFLATED_BYTES = MAX_SAMPLES_PER_FRAME * 4
