/**
 * Grouping for the renderers. Appending in place keeps a grouping linear in
 * what is grouped; copying the group on every add (`[...old, item]`) made
 * renderers quadratic in the probes of a rule or a reason.
 */

/** Appends `item` to the group `key` of `groups`, making the group on first use. */
export function pushTo<K, V>(groups: Map<K, V[]>, key: K, item: V): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [item]);
  else group.push(item);
}
