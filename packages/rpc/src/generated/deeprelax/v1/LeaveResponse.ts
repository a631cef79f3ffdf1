// Original file: proto/deeprelax/v1/coordinator.proto


export interface LeaveResponse {
}

export interface LeaveResponse__Output {
}
