// A Map that keeps only the entries set most recently: setting one makes it the newest, and past `limit` the
// oldest is forgotten. For what a worker remembers of the objects it wrote last.
export class RecentMap<K, V> extends Map<K, V> {
  private readonly limit: number;

  constructor(limit: number) {
    super();
    this.limit = limit;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) super.delete(this.keys().next().value!);
    return this;
  }
}
