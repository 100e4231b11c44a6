// Prime counting by trial division: a CPU-bound Rings job for the map-reduce speedup benchmark.
//
// params: { limit, block? }: count the primes below `limit`; the range is cut into blocks of
//   `block` numbers (default 10,000) dealt round-robin to the shards, so every shard gets the
//   same mix of small and large numbers and shards take about the same time.
// map -> { count, sum, largest } for the shard's blocks; reduce -> the same over all shards.

export function map(inputs, params, shardIndex, shardCount) {
  const limit = params.limit;
  const block = params.block ?? 10000;
  let count = 0;
  let sum = 0;
  let largest = 0;
  for (let start = shardIndex * block; start < limit; start += shardCount * block) {
    const end = Math.min(start + block, limit);
    for (let n = start; n < end; n += 1) {
      if (isPrime(n)) {
        count += 1;
        sum += n;
        largest = n;
      }
    }
  }
  return { count, sum, largest };
}

export function reduce(partials) {
  let count = 0;
  let sum = 0;
  let largest = 0;
  for (const partial of partials) {
    count += partial.count;
    sum += partial.sum;
    if (partial.largest > largest) largest = partial.largest;
  }
  return { count, sum, largest };
}

function isPrime(n) {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
