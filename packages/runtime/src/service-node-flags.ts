// The node flags the coordinator and worker processes run with, in every way they are started:
// the CLI's local cluster (`deeprelax up`), docker-compose.yml and the Dockerfiles (checked
// against this list in test/e2e/compose.test.ts), and the benches' and tests' child processes.
//
// --single-threaded-gc: V8 otherwise runs parallel scavenges and concurrent marking and sweeping
// on helper threads. The services' JS heaps are small (~30 MB; the tensors live in ArrayBuffers
// outside it), but every 7.5 MB exchange allocates message buffers that trigger collections, and
// the helper threads then compete with the workers' training threads and the other end of the
// exchange for the same cores (on the 2-core machine the benches ran on, a bench client burnt
// 50 ms of CPU per synchronous exchange instead of 18). Collecting on the main thread instead:
// one synchronous exchange of mnistfc's x 33-38 ms instead of 47-53, and a Parle job with 2
// workers 4-15% more samples/s (three side-by-side pairs in bench/distributed).
//
// --max-semi-space-size=64 (MB; V8's default is 16): the message buffers of an exchange (~22 MB
// per 7.5 MB exchange, allocated by grpc-js and node's HTTP/2) are short-lived, but with a small
// young generation their handles survive into the old one, and the coordinator then ran a full
// mark-compact every 2-3 exchanges (~21 ms of marking each). With it: fewer mark-compacts, ~10%
// less coordinator CPU per exchange, and a Parle job with 2 workers 16% more samples/s (three
// side-by-side pairs in bench/distributed, session 9). The young generation only grows to that
// size when the allocation rate asks for it.

/** V8 flags for the service processes. */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=64'];

/**
 * The service processes' node flags: DEEPRELAX_SERVICE_NODE_FLAGS when set (space-separated; set
 * and empty: none, e.g. for a side-by-side measurement), else SERVICE_NODE_FLAGS.
 */
export function serviceNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.DEEPRELAX_SERVICE_NODE_FLAGS;
  if (given === undefined) return [...SERVICE_NODE_FLAGS];
  return given.split(/\s+/).filter(Boolean);
}
