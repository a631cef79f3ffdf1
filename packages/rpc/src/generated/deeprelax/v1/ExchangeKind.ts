// Original file: proto/deeprelax/v1/coordinator.proto

export const ExchangeKind = {
  EXCHANGE_KIND_UNSPECIFIED: 'EXCHANGE_KIND_UNSPECIFIED',
  /**
   * Fetch the current x; the request carries no tensors.
   */
  EXCHANGE_KIND_PULL: 'EXCHANGE_KIND_PULL',
  /**
   * A contribution to a synchronous round; answered once the round (phase) is reduced.
   */
  EXCHANGE_KIND_SYNC: 'EXCHANGE_KIND_SYNC',
  /**
   * An asynchronous elastic update, applied on arrival.
   */
  EXCHANGE_KIND_ASYNC: 'EXCHANGE_KIND_ASYNC',
} as const;

export type ExchangeKind =
  | 'EXCHANGE_KIND_UNSPECIFIED'
  | 0
  /**
   * Fetch the current x; the request carries no tensors.
   */
  | 'EXCHANGE_KIND_PULL'
  | 1
  /**
   * A contribution to a synchronous round; answered once the round (phase) is reduced.
   */
  | 'EXCHANGE_KIND_SYNC'
  | 2
  /**
   * An asynchronous elastic update, applied on arrival.
   */
  | 'EXCHANGE_KIND_ASYNC'
  | 3

export type ExchangeKind__Output = typeof ExchangeKind[keyof typeof ExchangeKind]
