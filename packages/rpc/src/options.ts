// Transport constants and the channel/server options every deeprelax client and server uses.
import type * as grpc from '@grpc/grpc-js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Default chunk size of tensor streams. */
export const DEFAULT_CHUNK_BYTES = 1 * MiB;
/** Largest chunk a receiver accepts by default. */
export const MAX_CHUNK_BYTES = 2 * MiB;
/** gRPC message size limit, both directions (chunks stay well under it). */
export const MAX_MESSAGE_BYTES = 4 * MiB;
/** Largest tensor a receiver accepts by default (268M float32 values). */
export const DEFAULT_MAX_TENSOR_BYTES = 1024 * MiB;
/** HTTP/2 flow-control window: large enough that a whole chunk is in flight without stalls. */
export const FLOW_CONTROL_WINDOW = 16 * MiB;

/** Default deadlines, in milliseconds. */
export const DEFAULT_DEADLINES = {
  /** Unary calls (submit, get, heartbeat, ...). */
  unary: 10_000,
  /** One parameter exchange; a synchronous round may wait for stragglers up to its own deadline. */
  exchange: 120_000,
  /** Fetching weights. */
  fetch: 300_000,
} as const;

/** A deadline `ms` milliseconds from now (Infinity: none). */
export function deadlineIn(ms: number): grpc.Deadline {
  return Number.isFinite(ms) ? new Date(Date.now() + ms) : Infinity;
}

/** Client channel options: message limits, keepalive, reconnect backoff, flow-control window. */
export function clientChannelOptions(overrides: grpc.ChannelOptions = {}): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Ping an idle connection every 20 s, give up after 10 s without an answer: a dead
    // coordinator is noticed in seconds, not at the next call's deadline.
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5_000,
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
    ...overrides,
  };
}

/** Server options: message limits and keepalive (so a dead worker's connection is dropped). */
export function serverOptions(overrides: grpc.ServerOptions = {}): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    ...overrides,
  };
}
