/**
 * Counts the element steps a piece of code takes over arrays, Maps and Sets:
 * every step of their iterators (for…of, spread, Array.from) and, for each
 * call of an array method that walks the array (map, filter, find, some,
 * every, forEach, reduce, flatMap, indexOf, includes, findIndex, join, slice,
 * concat), the array's length. A deterministic measure of work for tests
 * that a renderer grows linearly — never the clock.
 */
const WALKING_METHODS = ["map", "filter", "find", "findIndex", "some", "every", "forEach", "reduce", "flatMap", "indexOf", "includes", "join", "slice", "concat"] as const;

/** Runs `fn` and returns how many element steps it took. */
export function elementSteps(fn: () => void): number {
  let steps = 0;
  const restore: (() => void)[] = [];
  const patch = (target: object, key: PropertyKey, counted: (self: unknown) => number): void => {
    const original = Reflect.get(target, key) as (...args: unknown[]) => unknown;
    Reflect.set(target, key, function (this: unknown, ...args: unknown[]) {
      steps += counted(this);
      return Reflect.apply(original, this, args);
    });
    restore.push(() => Reflect.set(target, key, original));
  };
  for (const iterator of [[][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator]()]) {
    patch(Object.getPrototypeOf(iterator) as object, "next", () => 1);
  }
  for (const method of WALKING_METHODS) patch(Array.prototype, method, (self) => (self as unknown[]).length);
  try {
    fn();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return steps;
}
