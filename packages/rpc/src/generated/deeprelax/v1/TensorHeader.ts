// Original file: proto/deeprelax/v1/common.proto

import type { DType as _deeprelax_v1_DType, DType__Output as _deeprelax_v1_DType__Output } from '../../deeprelax/v1/DType.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Describes one tensor of a tensor stream. A stream message carrying a list of these headers is
 * followed by TensorChunk messages carrying the bytes: all chunks of tensor 0 in order, then all
 * of tensor 1, and so on. A receiver checks, before allocating, that byte_length equals
 * length x element size and is within its limits; then that every chunk starts where the previous
 * one ended, that no chunk overruns byte_length, that the stream does not end early, and the
 * checksums: of every chunk as it arrives (chunk_checksums), or of the whole tensor at the end.
 */
export interface TensorHeader {
  /**
   * Role of the tensor in the exchange, e.g. "x", "z", "center", "elastic", "buffers".
   * Unique within one header.
   */
  'name'?: (string);
  'dtype'?: (_deeprelax_v1_DType);
  /**
   * Number of elements.
   */
  'length'?: (number | string | Long);
  /**
   * Number of encoded bytes: length x element size of dtype.
   */
  'byteLength'?: (number | string | Long);
  /**
   * CRC-32 (IEEE 802.3 polynomial, as zlib's crc32) of the encoded bytes, when chunk_checksums is
   * false; 0 and unused when it is true.
   */
  'crc32'?: (number);
  /**
   * Optional logical shape; empty means a flat vector of `length` elements.
   */
  'shape'?: (number | string | Long)[];
  /**
   * Every chunk of this tensor carries the CRC-32 of its own data (TensorChunk.crc32), checked as
   * it arrives, instead of one CRC-32 of the whole tensor here. What deeprelax sends: the sender
   * then checksums each chunk just before it goes out, while the previous one is on its way,
   * rather than reading the whole tensor before the first byte can leave (a 7.5 MB tensor: 3 ms).
   */
  'chunkChecksums'?: (boolean);
}

/**
 * Describes one tensor of a tensor stream. A stream message carrying a list of these headers is
 * followed by TensorChunk messages carrying the bytes: all chunks of tensor 0 in order, then all
 * of tensor 1, and so on. A receiver checks, before allocating, that byte_length equals
 * length x element size and is within its limits; then that every chunk starts where the previous
 * one ended, that no chunk overruns byte_length, that the stream does not end early, and the
 * checksums: of every chunk as it arrives (chunk_checksums), or of the whole tensor at the end.
 */
export interface TensorHeader__Output {
  /**
   * Role of the tensor in the exchange, e.g. "x", "z", "center", "elastic", "buffers".
   * Unique within one header.
   */
  'name': (string);
  'dtype': (_deeprelax_v1_DType__Output);
  /**
   * Number of elements.
   */
  'length': (number);
  /**
   * Number of encoded bytes: length x element size of dtype.
   */
  'byteLength': (number);
  /**
   * CRC-32 (IEEE 802.3 polynomial, as zlib's crc32) of the encoded bytes, when chunk_checksums is
   * false; 0 and unused when it is true.
   */
  'crc32': (number);
  /**
   * Optional logical shape; empty means a flat vector of `length` elements.
   */
  'shape': (number)[];
  /**
   * Every chunk of this tensor carries the CRC-32 of its own data (TensorChunk.crc32), checked as
   * it arrives, instead of one CRC-32 of the whole tensor here. What deeprelax sends: the sender
   * then checksums each chunk just before it goes out, while the previous one is on its way,
   * rather than reading the whole tensor before the first byte can leave (a 7.5 MB tensor: 3 ms).
   */
  'chunkChecksums': (boolean);
}
