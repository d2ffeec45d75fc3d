/**
 * The "islow" integer inverse DCT of the IJG library (jidctint.c, Loeffler-Ligtenberg-Moschytz
 * with 13-bit constants). The same arithmetic as libjpeg / GDCM, so lossy JPEG frames decode to
 * the same values other DICOM toolkits show. Arithmetic is done in doubles: IJG relies on 64-bit
 * `long` for 12-bit data, which would overflow JavaScript's 32-bit shifts.
 */

const CONST_BITS = 13
const FIX_0_298631336 = 2446
const FIX_0_390180644 = 3196
const FIX_0_541196100 = 4433
const FIX_0_765366865 = 6270
const FIX_0_899976223 = 7373
const FIX_1_175875602 = 9633
const FIX_1_501321110 = 12299
const FIX_1_847759065 = 15137
const FIX_1_961570560 = 16069
const FIX_2_053119869 = 16819
const FIX_2_562915447 = 20995
const FIX_3_072711026 = 25172


/**
 * Inverse-transform one 8x8 block of dequantised coefficients (natural order) and write the
 * level-shifted, clamped samples into `out` at `offset` with row `stride`.
 * `workspace` (64 entries) is passed in to avoid an allocation per block.
 */
export function inverseDctIslow(
  coefficients: Int32Array,
  out: Uint16Array,
  offset: number,
  stride: number,
  precision: number,
  workspace: Float64Array,
): void {
  // IJG keeps one fewer fractional bit between the passes for 12-bit data to limit the range.
  const pass1Bits = precision > 8 ? 1 : 2
  const center = 1 << (precision - 1)
  const maxValue = (1 << precision) - 1
  // IJG's DESCALE (rounding right shift); scaling by a power of two is exact in doubles.
  const pass1Half = 2 ** (CONST_BITS - pass1Bits - 1)
  const pass1Scale = 2 ** -(CONST_BITS - pass1Bits)
  const pass2Half = 2 ** (CONST_BITS + pass1Bits + 2)
  const pass2Scale = 2 ** -(CONST_BITS + pass1Bits + 3)
  const dcScale = 2 ** pass1Bits
  const constScale = 2 ** CONST_BITS

  for (let column = 0; column < 8; column++) {
    const c = coefficients
    const i = column
    if (c[i + 8] === 0 && c[i + 16] === 0 && c[i + 24] === 0 && c[i + 32] === 0 && c[i + 40] === 0 && c[i + 48] === 0 && c[i + 56] === 0) {
      const dc = c[i] * dcScale
      for (let row = 0; row < 8; row++) workspace[i + 8 * row] = dc
      continue
    }
    let z2 = c[i + 16]
    let z3 = c[i + 48]
    let z1 = (z2 + z3) * FIX_0_541196100
    let tmp2 = z1 - z3 * FIX_1_847759065
    let tmp3 = z1 + z2 * FIX_0_765366865
    z2 = c[i]
    z3 = c[i + 32]
    let tmp0 = (z2 + z3) * constScale
    let tmp1 = (z2 - z3) * constScale
    const tmp10 = tmp0 + tmp3
    const tmp13 = tmp0 - tmp3
    const tmp11 = tmp1 + tmp2
    const tmp12 = tmp1 - tmp2
    // Odd part (coefficients 7, 5, 3, 1), inlined: a helper returning four values costs an allocation.
    tmp0 = c[i + 56]
    tmp1 = c[i + 40]
    tmp2 = c[i + 24]
    tmp3 = c[i + 8]
    z1 = tmp0 + tmp3
    z2 = tmp1 + tmp2
    z3 = tmp0 + tmp2
    let z4 = tmp1 + tmp3
    const z5 = (z3 + z4) * FIX_1_175875602
    z1 *= -FIX_0_899976223
    z2 *= -FIX_2_562915447
    z3 = z3 * -FIX_1_961570560 + z5
    z4 = z4 * -FIX_0_390180644 + z5
    tmp0 = tmp0 * FIX_0_298631336 + z1 + z3
    tmp1 = tmp1 * FIX_2_053119869 + z2 + z4
    tmp2 = tmp2 * FIX_3_072711026 + z2 + z3
    tmp3 = tmp3 * FIX_1_501321110 + z1 + z4
    workspace[i] = Math.floor((tmp10 + tmp3 + pass1Half) * pass1Scale)
    workspace[i + 56] = Math.floor((tmp10 - tmp3 + pass1Half) * pass1Scale)
    workspace[i + 8] = Math.floor((tmp11 + tmp2 + pass1Half) * pass1Scale)
    workspace[i + 48] = Math.floor((tmp11 - tmp2 + pass1Half) * pass1Scale)
    workspace[i + 16] = Math.floor((tmp12 + tmp1 + pass1Half) * pass1Scale)
    workspace[i + 40] = Math.floor((tmp12 - tmp1 + pass1Half) * pass1Scale)
    workspace[i + 24] = Math.floor((tmp13 + tmp0 + pass1Half) * pass1Scale)
    workspace[i + 32] = Math.floor((tmp13 - tmp0 + pass1Half) * pass1Scale)
  }

  for (let row = 0; row < 8; row++) {
    const w = row * 8
    const o = offset + row * stride
    let z2 = workspace[w + 2]
    let z3 = workspace[w + 6]
    let z1 = (z2 + z3) * FIX_0_541196100
    let tmp2 = z1 - z3 * FIX_1_847759065
    let tmp3 = z1 + z2 * FIX_0_765366865
    z2 = workspace[w]
    z3 = workspace[w + 4]
    let tmp0 = (z2 + z3) * constScale
    let tmp1 = (z2 - z3) * constScale
    const tmp10 = tmp0 + tmp3
    const tmp13 = tmp0 - tmp3
    const tmp11 = tmp1 + tmp2
    const tmp12 = tmp1 - tmp2
    // Odd part (coefficients 7, 5, 3, 1), inlined: a helper returning four values costs an allocation.
    tmp0 = workspace[w + 7]
    tmp1 = workspace[w + 5]
    tmp2 = workspace[w + 3]
    tmp3 = workspace[w + 1]
    z1 = tmp0 + tmp3
    z2 = tmp1 + tmp2
    z3 = tmp0 + tmp2
    let z4 = tmp1 + tmp3
    const z5 = (z3 + z4) * FIX_1_175875602
    z1 *= -FIX_0_899976223
    z2 *= -FIX_2_562915447
    z3 = z3 * -FIX_1_961570560 + z5
    z4 = z4 * -FIX_0_390180644 + z5
    tmp0 = tmp0 * FIX_0_298631336 + z1 + z3
    tmp1 = tmp1 * FIX_2_053119869 + z2 + z4
    tmp2 = tmp2 * FIX_3_072711026 + z2 + z3
    tmp3 = tmp3 * FIX_1_501321110 + z1 + z4
    out[o] = clamp(Math.floor((tmp10 + tmp3 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 7] = clamp(Math.floor((tmp10 - tmp3 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 1] = clamp(Math.floor((tmp11 + tmp2 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 6] = clamp(Math.floor((tmp11 - tmp2 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 2] = clamp(Math.floor((tmp12 + tmp1 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 5] = clamp(Math.floor((tmp12 - tmp1 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 3] = clamp(Math.floor((tmp13 + tmp0 + pass2Half) * pass2Scale) + center, maxValue)
    out[o + 4] = clamp(Math.floor((tmp13 - tmp0 + pass2Half) * pass2Scale) + center, maxValue)
  }
}

function clamp(value: number, maxValue: number): number {
  return value < 0 ? 0 : value > maxValue ? maxValue : value
}
