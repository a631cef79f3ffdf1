import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { checkHealth, grpc, NotFoundError, unary, UnavailableError } from '@deeprelax/rpc';
import { echoCoordinator, startServer } from './helpers.js';

test('health check answers SERVING for the server and each service, NOT_SERVING after close', async () => {
  const s = await startServer({ jobs: { GetJob: unary(async () => ({})) }, coordinator: echoCoordinator() });
  assert.equal(await checkHealth(s.address), 'SERVING');
  assert.equal(await checkHealth(s.address, { service: 'deeprelax.v1.JobService' }), 'SERVING');
  assert.equal(await checkHealth(s.address, { service: 'deeprelax.v1.CoordinatorService' }), 'SERVING');
  await assert.rejects(checkHealth(s.address, { service: 'nope.Service' }), NotFoundError);
  s.server.setServing(false);
  assert.equal(await checkHealth(s.address), 'NOT_SERVING');
  await s.close();
  await assert.rejects(checkHealth(s.address, { deadlineMs: 2000 }), (e: unknown) => e instanceof UnavailableError || (e as Error).name === 'DeadlineExceededError');
});

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> } | null;
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] } | null;
  errorResponse?: { errorCode: number; errorMessage: string } | null;
}

function reflect(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const def = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [root], keepCase: false, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ReflectionResponse> } } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (res: ReflectionResponse) => {
      resolve(res);
      call.end();
    });
    call.on('error', reject);
    call.on('end', () => client.close());
    call.write(request);
  });
}

test('reflection lists the services and serves their descriptors', async (t) => {
  const s = await startServer({ jobs: { GetJob: unary(async () => ({})) }, coordinator: echoCoordinator() });
  t.after(() => s.close());
  const list = await reflect(s.address, { listServices: '*' });
  const names = list.listServicesResponse!.service.map((x) => x.name).sort();
  for (const want of ['deeprelax.v1.CoordinatorService', 'deeprelax.v1.JobService', 'grpc.health.v1.Health']) {
    assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
  }
  const file = await reflect(s.address, { fileContainingSymbol: 'deeprelax.v1.CoordinatorService' });
  assert.ok(file.fileDescriptorResponse!.fileDescriptorProto.length > 0);
  const text = Buffer.concat(file.fileDescriptorResponse!.fileDescriptorProto).toString('latin1');
  assert.match(text, /ExchangeHeader/);
  const msg = await reflect(s.address, { fileContainingSymbol: 'deeprelax.v1.JobSpec' });
  assert.ok(msg.fileDescriptorResponse!.fileDescriptorProto.length > 0);
});
