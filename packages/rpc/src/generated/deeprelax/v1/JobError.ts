// Original file: proto/deeprelax/v1/jobs.proto


export interface JobError {
  /**
   * gRPC status name ("INVALID_ARGUMENT", "INTERNAL", ...).
   */
  'code'?: (string);
  'message'?: (string);
  /**
   * The offending field when the error is about one.
   */
  'field'?: (string);
}

export interface JobError__Output {
  /**
   * gRPC status name ("INVALID_ARGUMENT", "INTERNAL", ...).
   */
  'code': (string);
  'message': (string);
  /**
   * The offending field when the error is about one.
   */
  'field': (string);
}
