// Fault injection built into the transport, for tests: fail, delay or drop the Nth call of a
// named method, on the server side (an interceptor, so the service code runs unmodified).
//
//   const faults = new FaultInjector()
//     .add({ method: 'Exchange', nth: 3, action: { kind: 'fail', code: grpc.status.UNAVAILABLE } })
//     .add({ method: 'Heartbeat', nth: 1, count: Infinity, action: { kind: 'delay', ms: 200 } });
//   const server = createRpcServer({ faults });
import * as grpc from '@grpc/grpc-js';

export type FaultAction =
  /** Answer with this status without calling the handler (default UNAVAILABLE). */
  | { kind: 'fail'; code?: grpc.status; details?: string }
  /** Hold the call this long before the handler sees it. */
  | { kind: 'delay'; ms: number }
  /** Never answer: the call hangs until the client's deadline or cancellation (a lost message). */
  | { kind: 'drop' };

export interface FaultRule {
  /** Method name ("Exchange") or full path ("/deeprelax.v1.CoordinatorService/Exchange"). */
  method: string;
  /** 1-based index of the first call of that method the fault applies to (default 1). */
  nth?: number;
  /** How many consecutive calls from the nth on (default 1; Infinity for all). */
  count?: number;
  action: FaultAction;
}

export interface FaultEvent {
  path: string;
  call: number;
  action: FaultAction['kind'];
}

function matches(rule: FaultRule, path: string): boolean {
  return rule.method.startsWith('/') ? rule.method === path : path.endsWith(`/${rule.method}`);
}

/** Counts calls per method and applies the rules to the matching ones. */
export class FaultInjector {
  private readonly rules: FaultRule[] = [];
  private readonly counts = new Map<string, number>();
  /** Faults applied so far, in order. */
  readonly applied: FaultEvent[] = [];

  add(rule: FaultRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Removes the rules and resets the counts. */
  clear(): void {
    this.rules.length = 0;
    this.counts.clear();
    this.applied.length = 0;
  }

  /** Calls of a method seen so far (by full path or method name). */
  calls(method: string): number {
    let n = 0;
    for (const [path, c] of this.counts) if (matches({ method, action: { kind: 'drop' } }, path)) n += c;
    return n;
  }

  /** Registers a call and returns the fault to apply to it, if any. */
  next(path: string): FaultAction | null {
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    for (const r of this.rules) {
      const first = r.nth ?? 1;
      const count = r.count ?? 1;
      if (matches(r, path) && n >= first && n < first + count) {
        this.applied.push({ path, call: n, action: r.action.kind });
        return r.action;
      }
    }
    return null;
  }

  /** The server interceptor applying the rules. Put it first among the interceptors. */
  serverInterceptor(): grpc.ServerInterceptor {
    return (methodDescriptor, call) => {
      const action = this.next(methodDescriptor.path);
      if (action === null) return new grpc.ServerInterceptingCall(call);
      return new grpc.ServerInterceptingCall(call, {
        start: (next) => {
          next({
            onReceiveMetadata: (metadata, nextMd) => {
              switch (action.kind) {
                case 'fail':
                  call.sendStatus({
                    code: action.code ?? grpc.status.UNAVAILABLE,
                    details: action.details ?? `injected fault on ${methodDescriptor.path}`,
                    metadata: new grpc.Metadata(),
                  });
                  return;
                case 'delay':
                  setTimeout(() => nextMd(metadata), action.ms);
                  return;
                case 'drop':
                  return; // never passed on: the handler never runs, no status is ever sent
              }
            },
          });
        },
      });
    };
  }
}
