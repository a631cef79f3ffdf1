// Original file: proto/deeprelax/v1/common.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A slice of one tensor's encoded bytes. Chunks are small (1 MiB by default), well under gRPC's
 * message size limit.
 */
export interface TensorChunk {
  /**
   * Index of the tensor in the preceding header's `tensors` list.
   */
  'tensor'?: (number);
  /**
   * Byte offset of `data` within that tensor; must equal the number of bytes already received
   * for it (chunks are sent in order, without gaps or overlaps).
   */
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  /**
   * CRC-32 of `data`, when the tensor's header sets chunk_checksums.
   */
  'crc32'?: (number);
}

/**
 * A slice of one tensor's encoded bytes. Chunks are small (1 MiB by default), well under gRPC's
 * message size limit.
 */
export interface TensorChunk__Output {
  /**
   * Index of the tensor in the preceding header's `tensors` list.
   */
  'tensor': (number);
  /**
   * Byte offset of `data` within that tensor; must equal the number of bytes already received
   * for it (chunks are sent in order, without gaps or overlaps).
   */
  'offset': (number);
  'data': (Buffer);
  /**
   * CRC-32 of `data`, when the tensor's header sets chunk_checksums.
   */
  'crc32': (number);
}
