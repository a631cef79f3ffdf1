// Original file: proto/deeprelax/v1/coordinator.proto

export const ExchangeMode = {
  EXCHANGE_MODE_UNSPECIFIED: 'EXCHANGE_MODE_UNSPECIFIED',
  /**
   * Rounds: every replica contributes, the coordinator reduces, then replies (Parle, EASGD, DESGD).
   */
  EXCHANGE_MODE_SYNC: 'EXCHANGE_MODE_SYNC',
  /**
   * Each exchange applied on arrival (EASGD async).
   */
  EXCHANGE_MODE_ASYNC: 'EXCHANGE_MODE_ASYNC',
} as const;

export type ExchangeMode =
  | 'EXCHANGE_MODE_UNSPECIFIED'
  | 0
  /**
   * Rounds: every replica contributes, the coordinator reduces, then replies (Parle, EASGD, DESGD).
   */
  | 'EXCHANGE_MODE_SYNC'
  | 1
  /**
   * Each exchange applied on arrival (EASGD async).
   */
  | 'EXCHANGE_MODE_ASYNC'
  | 2

export type ExchangeMode__Output = typeof ExchangeMode[keyof typeof ExchangeMode]
