/*
 * What each hash thread runs: CommonJS source evaluated as is, so it loads the same way from src/
 * under tsx, from dist/ and inside vitest. It sees the input only in memory and never logs it.
 *
 * A failed check is padded to what one check at the configured scheme takes on this thread: for
 * bcrypt against bcrypt by hashing at the costs between the two (exact), otherwise by the time the
 * check really took against the measured time of a configured check, filled with bcrypt work.
 */
export const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
const argon2 = require(workerData.argon2Path);
try {
  require("node:os").setPriority(workerData.priority);
} catch {}
const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, absent at run time)

// What one bcrypt unit (one step of 2^cost) takes on this thread, from the bcrypt work it does.
let unitMs = null;
function bcryptTimed(cost, work) {
  const start = performance.now();
  const result = work();
  const ms = (performance.now() - start) / 2 ** cost;
  unitMs = unitMs === null ? ms : 0.8 * unitMs + 0.2 * ms;
  return result;
}
const bcryptCostOf = (hash) => Number(hash.slice(4, 6));
const calibrateBcrypt = () => unitMs ?? bcryptTimed(6, () => bcrypt.hashSync("calibration", 6));

// What an Argon2id hash or check takes on this thread, by its parameters.
const argon2Ms = new Map();
const argon2Key = (p) => p.memoryKiB + "," + p.passes + "," + p.parallelism;
function argon2Timed(params, work) {
  const start = performance.now();
  const result = work();
  const ms = performance.now() - start;
  const before = argon2Ms.get(argon2Key(params));
  argon2Ms.set(argon2Key(params), before === undefined ? ms : 0.8 * before + 0.2 * ms);
  return result;
}
function argon2Hash(input, params, secret) {
  const options = { algorithm: ARGON2ID, memoryCost: params.memoryKiB, timeCost: params.passes, parallelism: params.parallelism };
  if (secret) options.secret = secret;
  return argon2Timed(params, () => argon2.hashSync(input, options));
}

// What one check at the configured scheme takes here, measured once first when nothing has been yet.
function checkMs(scheme) {
  if (scheme.name === "bcrypt") {
    calibrateBcrypt();
    return 2 ** scheme.cost * unitMs;
  }
  if (!argon2Ms.has(argon2Key(scheme))) argon2Hash("calibration", scheme);
  return argon2Ms.get(argon2Key(scheme));
}

// bcrypt work worth about ms, in hashes at falling costs down to bcrypt's least.
function padFor(input, ms) {
  calibrateBcrypt();
  let left = ms / unitMs;
  for (let cost = 30; cost >= 4; cost--) {
    if (left >= 2 ** cost) {
      bcryptTimed(cost, () => bcrypt.hashSync(input, cost));
      left -= 2 ** cost;
    }
  }
}

let importedReader = null;
async function readers() {
  if (importedReader === null) {
    if (workerData.tsxUrl) (await import(workerData.tsxUrl)).register(); // run from src/, under tsx or vitest
    importedReader = await import(workerData.importedUrl);
  }
  return importedReader;
}

function check(job, reader) {
  if (job.kind === "bcrypt") return bcryptTimed(bcryptCostOf(job.hash), () => bcrypt.compareSync(job.input, job.hash));
  if (job.kind === "argon2id") {
    return argon2Timed(job.params, () => argon2.verifySync(job.hash, job.input, job.secret ? { secret: job.secret } : undefined));
  }
  const hash = reader.readImportedHash(job.hash);
  return hash !== null && hash.verify(job.input);
}

async function run(job) {
  if (job.op === "hash") return bcryptTimed(job.cost, () => bcrypt.hashSync(job.input, job.cost));
  if (job.op === "hash-argon2id") return argon2Hash(job.input, job.params, job.secret);
  if (job.op === "compare") {
    const result = bcryptTimed(bcryptCostOf(job.hash), () => bcrypt.compareSync(job.input, job.hash));
    if (result === false) for (const cost of job.padCosts) bcryptTimed(cost, () => bcrypt.hashSync(job.input, cost));
    return result;
  }
  const reader = job.kind === "imported" ? await readers() : null;
  const targetMs = checkMs(job.padTo);
  const start = performance.now();
  let result = false;
  try {
    result = check(job, reader);
  } catch {} // parameters the implementation refuses: no password matches
  if (result === false) padFor(job.input, targetMs - (performance.now() - start));
  return result;
}

let queue = Promise.resolve();
parentPort.on("message", (job) => {
  queue = queue.then(async () => {
    try {
      parentPort.postMessage({ result: await run(job) });
    } catch (error) {
      parentPort.postMessage({ error: error instanceof Error ? error.message : "hashing failed" });
    }
  });
});
`;
