// Original file: proto/deeprelax/v1/common.proto

/**
 * Element type of a tensor's bytes on the wire. Every multi-byte type is little-endian.
 */
export const DType = {
  /**
   * Treated as DTYPE_FLOAT32.
   */
  DTYPE_UNSPECIFIED: 'DTYPE_UNSPECIFIED',
  /**
   * IEEE 754 binary32. Exact; the default for parameter exchange.
   */
  DTYPE_FLOAT32: 'DTYPE_FLOAT32',
  /**
   * IEEE 754 binary16, converted from float32 with round-to-nearest-even; values beyond
   * 65504 become +-Inf, NaN stays NaN. Halves the bytes; lossy.
   */
  DTYPE_FLOAT16: 'DTYPE_FLOAT16',
  /**
   * bfloat16 (the upper 16 bits of a float32, rounded to nearest even). Float32's range with
   * 8 bits of mantissa. Halves the bytes; lossy.
   */
  DTYPE_BFLOAT16: 'DTYPE_BFLOAT16',
} as const;

/**
 * Element type of a tensor's bytes on the wire. Every multi-byte type is little-endian.
 */
export type DType =
  /**
   * Treated as DTYPE_FLOAT32.
   */
  | 'DTYPE_UNSPECIFIED'
  | 0
  /**
   * IEEE 754 binary32. Exact; the default for parameter exchange.
   */
  | 'DTYPE_FLOAT32'
  | 1
  /**
   * IEEE 754 binary16, converted from float32 with round-to-nearest-even; values beyond
   * 65504 become +-Inf, NaN stays NaN. Halves the bytes; lossy.
   */
  | 'DTYPE_FLOAT16'
  | 2
  /**
   * bfloat16 (the upper 16 bits of a float32, rounded to nearest even). Float32's range with
   * 8 bits of mantissa. Halves the bytes; lossy.
   */
  | 'DTYPE_BFLOAT16'
  | 3

/**
 * Element type of a tensor's bytes on the wire. Every multi-byte type is little-endian.
 */
export type DType__Output = typeof DType[keyof typeof DType]
