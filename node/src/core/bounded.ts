/** Insertion-ordered sets and maps that keep only their latest entries: how per-job and per-round state stays bounded. */

/** Adds `key` to the set, forgetting the oldest entries beyond `limit`. */
export function rememberKey<K>(set: Set<K>, key: K, limit: number): void {
  set.delete(key);
  set.add(key);
  while (set.size > limit) set.delete(set.values().next().value as K);
}

/** Sets `key` in the map (as its latest entry), forgetting the oldest entries beyond `limit`. */
export function rememberEntry<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}
