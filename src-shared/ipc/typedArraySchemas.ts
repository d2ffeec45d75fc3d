import { z } from 'zod'

// z.instanceof would type these as views of a plain ArrayBuffer only; decoders hand out views of any buffer.
/** A Float32Array (pixels, probabilities, features). */
export const Float32ArraySchema = z.custom<Float32Array>((value) => value instanceof Float32Array, 'expected a Float32Array')
/** A Uint16Array (VOI LUT entries, stored samples). */
export const Uint16ArraySchema = z.custom<Uint16Array>((value) => value instanceof Uint16Array, 'expected a Uint16Array')
/** A Uint8Array (file bytes, masks). */
export const Uint8ArraySchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array')
