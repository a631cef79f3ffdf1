/**
 * The Lua scripts behind every multi-key change. Each runs atomically inside Redis. Conventions:
 *  - `now` is milliseconds from the store's injected clock, passed as a decimal string;
 *  - a fencing token argument of '' means "not presented";
 *  - failures return `DRSTORE <json>` error replies ({code, ...}); redis-store.ts turns them into
 *    the typed errors of errors.ts. Codes: NOT_FOUND, STALE_FENCING, LEASE_EXPIRED,
 *    PRECONDITION, CONFLICT, ID_TAKEN;
 *  - keys discovered at run time (a job's workers, a worker's job) are built from the stems that
 *    keys.ts hands in as ARGV, never spelled here.
 */

const PRELUDE = `
local function fail(code, t)
  t = t or {}
  t.code = code
  return redis.error_reply('DRSTORE ' .. cjson.encode(t))
end
local function emit(stream, maxlen, now, kind, data)
  return redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'at', now, 'kind', kind, 'data', data)
end
local function fenced(key, presented, entity, id)
  if presented == '' then return nil end
  local cur = redis.call('HGET', key, 'fencingToken')
  if cur ~= presented then
    return fail('STALE_FENCING', {entity = entity, id = id, presented = presented, current = cur})
  end
  return nil
end
-- Detach worker wid from job jid (if that job exists), logging why on the job's event stream.
local function detach(wkey, wid, jid, jobStem, workersSuffix, eventsSuffix, maxlen, now, reason)
  if jid and jid ~= '' then
    if redis.call('EXISTS', jobStem .. jid) == 1 then
      redis.call('SREM', jobStem .. jid .. workersSuffix, wid)
      emit(jobStem .. jid .. eventsSuffix, maxlen, now, 'worker.released',
        cjson.encode({workerId = wid, reason = reason}))
    end
    redis.call('HSET', wkey, 'jobId', '', 'assignedAt', '')
  end
end
`;

export interface ScriptDef {
  /** null: the caller passes the key count as the first argument. */
  numberOfKeys: number | null;
  lua: string;
}

function def(numberOfKeys: number | null, body: string): ScriptDef {
  return { numberOfKeys, lua: PRELUDE + body };
}

export const SCRIPTS = {
  /**
   * KEYS: 1 job:<id>, 2 seq, 3 fencing, 4 jobs:queued, 5 job:<id>:events
   * ARGV: 1 id, 2 now, 3 spec bytes, 4 minWorkers, 5 maxWorkers ('' = none), 6 eventsMaxLen
   * Returns the job hash (HGETALL). ID_TAKEN if the generated id exists.
   */
  createJob: def(5, `
if redis.call('EXISTS', KEYS[1]) == 1 then return fail('ID_TAKEN') end
local seq = redis.call('INCR', KEYS[2])
local tok = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', 'queued', 'spec', ARGV[3],
  'minWorkers', ARGV[4], 'maxWorkers', ARGV[5], 'seq', seq, 'fencingToken', tok,
  'createdAt', ARGV[2], 'updatedAt', ARGV[2], 'startedAt', '', 'endedAt', '',
  'progress', '', 'latestMetrics', '', 'error', '')
redis.call('ZADD', KEYS[4], seq, ARGV[1])
emit(KEYS[5], ARGV[6], ARGV[2], 'job.created', cjson.encode({state = 'queued', seq = seq}))
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * Compare-and-set of the job state. The legal source states come from JOB_TRANSITIONS (TS side).
   * KEYS: 1 job:<id>, 2 fencing, 3 job:<id>:workers, 4 job:<id>:events,
   *       5..9 jobs:<state> for each state, in the order of ARGV 11
   * ARGV: 1 allowed source states (comma list), 2 target state, 3 now, 4 presented job token or '',
   *       5 '1' = return unchanged if already in the target state, 6 '1' = target is terminal,
   *       7 error JSON or '', 8 eventsMaxLen, 9 worker stem, 10 '' or '1'..reason,
   *       11 all states (comma list, KEYS 5..9 order)
   * Returns the job hash. NOT_FOUND, STALE_FENCING, CONFLICT {actual}.
   * Entering a terminal state clears the job's worker set and the workers' jobId.
   */
  transitionJob: def(9, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local state = redis.call('HGET', KEYS[1], 'state')
local to = ARGV[2]
if ARGV[5] == '1' and state == to then return redis.call('HGETALL', KEYS[1]) end
local id = redis.call('HGET', KEYS[1], 'id')
local f = fenced(KEYS[1], ARGV[4], 'job', id)
if f then return f end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state then allowed = true end
end
if not allowed then return fail('CONFLICT', {actual = state}) end
local tok = redis.call('INCR', KEYS[2])
local seq = redis.call('HGET', KEYS[1], 'seq')
redis.call('HSET', KEYS[1], 'state', to, 'fencingToken', tok, 'updatedAt', ARGV[3])
if to == 'running' and redis.call('HGET', KEYS[1], 'startedAt') == '' then
  redis.call('HSET', KEYS[1], 'startedAt', ARGV[3])
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[7]) end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'endedAt', ARGV[3])
  for _, wid in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local wkey = ARGV[9] .. wid
    if redis.call('HGET', wkey, 'jobId') == id then
      redis.call('HSET', wkey, 'jobId', '', 'assignedAt', '')
    end
  end
  redis.call('DEL', KEYS[3])
end
local i = 0
for s in string.gmatch(ARGV[11], '[^,]+') do
  i = i + 1
  if s == state then redis.call('ZREM', KEYS[4 + i], id) end
  if s == to then redis.call('ZADD', KEYS[4 + i], seq, id) end
end
local ev = {from = state, to = to, fencingToken = tok}
if ARGV[10] ~= '' then ev.reason = string.sub(ARGV[10], 2) end
emit(KEYS[4], ARGV[8], ARGV[3], 'job.state', cjson.encode(ev))
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * New fencing token for a job, state unchanged.
   * KEYS: 1 job:<id>, 2 fencing, 3 job:<id>:events    ARGV: 1 now, 2 eventsMaxLen
   */
  fenceJob: def(3, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local tok = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'fencingToken', tok, 'updatedAt', ARGV[1])
emit(KEYS[3], ARGV[2], ARGV[1], 'job.fenced', cjson.encode({fencingToken = tok}))
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * Sets job fields under an optional fencing check, optionally logging an event.
   * KEYS: 1 job:<id>, 2 job:<id>:events
   * ARGV: 1 presented job token or '', 2 now, 3 eventsMaxLen, 4 event kind or '', 5 event data JSON,
   *       6.. field, value pairs
   * Returns the job hash. NOT_FOUND, STALE_FENCING.
   */
  patchJob: def(2, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local f = fenced(KEYS[1], ARGV[1], 'job', redis.call('HGET', KEYS[1], 'id'))
if f then return f end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2], unpack(ARGV, 6))
if ARGV[4] ~= '' then emit(KEYS[2], ARGV[3], ARGV[2], ARGV[4], ARGV[5]) end
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * KEYS: 1 job:<id>, 2 job:<id>:checkpoint, 3 job:<id>:events
   * ARGV: 1 presented job token or '', 2 now, 3 round, 4 location, 5 meta JSON, 6 eventsMaxLen
   * Returns the previous checkpoint hash (empty if none). NOT_FOUND, STALE_FENCING,
   * PRECONDITION stale-checkpoint (round below the recorded one; an equal round replaces it).
   */
  recordCheckpoint: def(3, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local f = fenced(KEYS[1], ARGV[1], 'job', redis.call('HGET', KEYS[1], 'id'))
if f then return f end
local prev = redis.call('HGETALL', KEYS[2])
local cur = redis.call('HGET', KEYS[2], 'round')
if cur and tonumber(ARGV[3]) < tonumber(cur) then
  return fail('PRECONDITION', {reason = 'stale-checkpoint', round = ARGV[3], latest = cur})
end
redis.call('HSET', KEYS[2], 'round', ARGV[3], 'location', ARGV[4], 'meta', ARGV[5], 'recordedAt', ARGV[2])
emit(KEYS[3], ARGV[6], ARGV[2], 'checkpoint.recorded',
  cjson.encode({round = tonumber(ARGV[3]), location = ARGV[4]}))
return prev
`),

  /**
   * KEYS: 1 worker:<id>, 2 workers:leases, 3 fencing
   * ARGV: 1 id, 2 now, 3 ttlMs, 4 name, 5 meta JSON, 6 '1' = id was generated (must be new),
   *       7 job stem, 8 workers suffix, 9 events suffix, 10 eventsMaxLen
   * Returns {fencingToken, leaseExpiresAt}. ID_TAKEN. A known id is re-registered: released from
   * its job, fresh record, new token.
   */
  registerWorker: def(3, `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[6] == '1' then return fail('ID_TAKEN') end
  detach(KEYS[1], ARGV[1], redis.call('HGET', KEYS[1], 'jobId'), ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[2], 'reregistered')
  redis.call('DEL', KEYS[1])
end
local tok = redis.call('INCR', KEYS[3])
local exp = string.format('%d', tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[4], 'meta', ARGV[5], 'fencingToken', tok,
  'ttlMs', ARGV[3], 'registeredAt', ARGV[2], 'lastHeartbeatAt', ARGV[2], 'leaseExpiresAt', exp,
  'jobId', '', 'assignedAt', '')
redis.call('ZADD', KEYS[2], exp, ARGV[1])
return {tok, exp}
`),

  /**
   * KEYS: 1 worker:<id>, 2 workers:leases      ARGV: 1 id, 2 presented token, 3 now
   * Returns {fencingToken, ttlMs, leaseExpiresAt, jobId}. NOT_FOUND, STALE_FENCING, LEASE_EXPIRED.
   */
  heartbeatWorker: def(2, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'worker'}) end
local f = fenced(KEYS[1], ARGV[2], 'worker', ARGV[1])
if f then return f end
local exp = redis.call('HGET', KEYS[1], 'leaseExpiresAt')
if tonumber(exp) <= tonumber(ARGV[3]) then return fail('LEASE_EXPIRED', {id = ARGV[1], expiredAt = exp}) end
local ttl = redis.call('HGET', KEYS[1], 'ttlMs')
local newexp = string.format('%d', tonumber(ARGV[3]) + tonumber(ttl))
redis.call('HSET', KEYS[1], 'lastHeartbeatAt', ARGV[3], 'leaseExpiresAt', newexp)
redis.call('ZADD', KEYS[2], newexp, ARGV[1])
return {redis.call('HGET', KEYS[1], 'fencingToken'), ttl, newexp, redis.call('HGET', KEYS[1], 'jobId')}
`),

  /**
   * KEYS: 1 worker:<wid>, 2 workers:leases, 3 job:<jid>, 4 job:<jid>:workers, 5 job:<jid>:events
   * ARGV: 1 wid, 2 jid, 3 presented worker token or '', 4 now, 5 eventsMaxLen,
   *       6 states that accept workers (comma list)
   * Returns the worker hash. NOT_FOUND (worker, then job), STALE_FENCING, LEASE_EXPIRED,
   * PRECONDITION job-not-active | worker-busy | job-full (live workers counted).
   */
  assignWorker: def(5, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'worker'}) end
local f = fenced(KEYS[1], ARGV[3], 'worker', ARGV[1])
if f then return f end
local now = tonumber(ARGV[4])
local exp = redis.call('HGET', KEYS[1], 'leaseExpiresAt')
if tonumber(exp) <= now then return fail('LEASE_EXPIRED', {id = ARGV[1], expiredAt = exp}) end
if redis.call('EXISTS', KEYS[3]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local state = redis.call('HGET', KEYS[3], 'state')
local active = false
for s in string.gmatch(ARGV[6], '[^,]+') do
  if s == state then active = true end
end
if not active then return fail('PRECONDITION', {reason = 'job-not-active', state = state}) end
local cur = redis.call('HGET', KEYS[1], 'jobId')
if cur == ARGV[2] then return redis.call('HGETALL', KEYS[1]) end
if cur ~= '' then return fail('PRECONDITION', {reason = 'worker-busy', jobId = cur}) end
local maxw = redis.call('HGET', KEYS[3], 'maxWorkers')
if maxw ~= '' then
  local live = 0
  for _, m in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    local sc = redis.call('ZSCORE', KEYS[2], m)
    if sc and tonumber(sc) > now then live = live + 1 end
  end
  if live >= tonumber(maxw) then
    return fail('PRECONDITION', {reason = 'job-full', live = live, max = tonumber(maxw)})
  end
end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'jobId', ARGV[2], 'assignedAt', ARGV[4])
emit(KEYS[5], ARGV[5], ARGV[4], 'worker.assigned', cjson.encode({workerId = ARGV[1]}))
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * Release a worker from its job, or (mode 'leave') also forget it.
   * KEYS: 1 worker:<id>, 2 workers:leases
   * ARGV: 1 id, 2 presented token or '', 3 now, 4 job stem, 5 workers suffix, 6 events suffix,
   *       7 eventsMaxLen, 8 mode 'release' | 'leave'
   * Returns the worker hash (empty after leave). NOT_FOUND, STALE_FENCING.
   */
  releaseWorker: def(2, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'worker'}) end
local f = fenced(KEYS[1], ARGV[2], 'worker', ARGV[1])
if f then return f end
local reason = 'released'
if ARGV[8] == 'leave' then reason = 'left' end
detach(KEYS[1], ARGV[1], redis.call('HGET', KEYS[1], 'jobId'), ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[3], reason)
if ARGV[8] == 'leave' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return redis.call('HGETALL', KEYS[1])
`),

  /**
   * Forget every worker whose lease deadline is <= now, releasing its job.
   * KEYS: 1 workers:leases
   * ARGV: 1 now, 2 worker stem, 3 job stem, 4 workers suffix, 5 events suffix, 6 eventsMaxLen
   * Returns a flat list: id, jobId ('' = none), leaseExpiresAt, ... (deadline order).
   */
  sweepExpiredWorkers: def(1, `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local out = {}
for _, wid in ipairs(ids) do
  local wkey = ARGV[2] .. wid
  local jid = redis.call('HGET', wkey, 'jobId') or ''
  local exp = redis.call('HGET', wkey, 'leaseExpiresAt') or '0'
  detach(wkey, wid, jid, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[1], 'expired')
  redis.call('DEL', wkey)
  redis.call('ZREM', KEYS[1], wid)
  out[#out + 1] = wid
  out[#out + 1] = jid
  out[#out + 1] = exp
end
return out
`),

  /**
   * KEYS: 1 workers:leases       ARGV: 1 now, 2 worker stem
   * Returns a list of worker hashes with lease deadline > now.
   */
  listLiveWorkers: def(1, `
local out = {}
for _, wid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  local h = redis.call('HGETALL', ARGV[2] .. wid)
  if #h > 0 then out[#out + 1] = h end
end
return out
`),

  /**
   * KEYS: 1 job:<id>, 2 job:<id>:workers, 3 workers:leases     ARGV: 1 now, 2 worker stem
   * Returns a list of the live assigned workers' hashes. NOT_FOUND.
   */
  jobWorkers: def(3, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
local out = {}
for _, wid in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local sc = redis.call('ZSCORE', KEYS[3], wid)
  if sc and tonumber(sc) > tonumber(ARGV[1]) then
    local h = redis.call('HGETALL', ARGV[2] .. wid)
    if #h > 0 then out[#out + 1] = h end
  end
end
return out
`),

  /**
   * Consistent snapshot of the jobs in some states.
   * KEYS: the jobs:<state> sets to read      ARGV: 1 job stem, 2 per-set limit ('0' = all)
   * Returns a list of job hashes (caller merges by seq).
   */
  listJobs: def(null, `
local out = {}
local lim = tonumber(ARGV[2]) - 1
for _, k in ipairs(KEYS) do
  for _, id in ipairs(redis.call('ZRANGE', k, 0, lim)) do
    local h = redis.call('HGETALL', ARGV[1] .. id)
    if #h > 0 then out[#out + 1] = h end
  end
end
return out
`),

  /**
   * Append to one of a job's streams if the job exists.
   * KEYS: 1 job:<id>, 2 the stream       ARGV: 1 maxLen, 2.. field, value pairs
   * Returns the new entry id. NOT_FOUND.
   */
  appendToJobStream: def(2, `
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('NOT_FOUND', {entity = 'job'}) end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 2))
`),
} satisfies Record<string, ScriptDef>;

export type ScriptName = keyof typeof SCRIPTS;
