// Errors of the client commands: one line for the user and an exit status.
import { RpcError, toRpcError } from '@deeprelax/rpc';
import { describeRpcError, exitCodeOf } from './connection.js';

/** A failure the CLI reports as one line with this exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs a client call; an RPC failure becomes a CliError ("NOT_FOUND: job x not found"). */
export async function rpc<T>(address: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof RpcError || (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'number')) {
      const err = toRpcError(e);
      throw new CliError(describeRpcError(err, address), exitCodeOf(err));
    }
    throw e;
  }
}
